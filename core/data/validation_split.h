// The validation split: training images held out of training (never stepped
// on), measured while the run trains so over-fitting shows before the test.
#pragma once

#include <cstdint>

#include "data/dataset.h"

namespace alexnet {

// How many training images `setting` holds out of `train_images` with
// `classes` classes. `setting` is --validation's value: kAutomaticValidation
// (1/12 of the training images, at most 5,000, at least one per class), 0
// (none), a fraction in (0, 1), or a count. Throws DataError when it would
// leave a class without a training image.
std::int64_t validation_count(double setting, std::int64_t train_images, int classes);

struct ValidationSplit {
  ImageSet train;       // the training rows left, in their order in the data set
  ImageSet validation;  // the held-out rows, in a seeded random order (its first images are the probe set)
};

// Holds out about `count` images, stratified: each class gives its share
// (rounded, at least one where the class has two or more images, never its
// last). The choice depends on `seed` and the labels alone, so every rank and
// every resume takes the same images.
ValidationSplit split_validation(const ImageSet& all, std::int64_t count, int classes, std::uint64_t seed);

}  // namespace alexnet
