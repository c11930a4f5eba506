// A picture file from anywhere, turned into the network's input exactly as the
// training pictures were (see PictureTransform). OpenCV decodes; nothing here
// needs torch, so an exported model can be run without it.
#pragma once

#include "errors.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "export/model_card.h"

namespace alexnet {

// Float [3, S, S] (CHW), normalised. `what` names the picture in errors.
std::vector<float> prepare_picture_bytes(const std::string& bytes, const PictureTransform& t, const std::string& what);
std::vector<float> prepare_picture_file(const std::string& path, const PictureTransform& t);

}  // namespace alexnet
