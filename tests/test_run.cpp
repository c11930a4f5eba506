// The run room's suite, one executable of two parts: a run survives what a
// user's machine does to it (test_run_reliability.cpp), and run folders from
// strangers are confined and bounded (test_run_untrusted.cpp).
// `test_run FUNCTION...` runs the named test functions of whichever part has them.
#include <QtTest>

#include <algorithm>
#include <memory>
#include <vector>

std::unique_ptr<QObject> make_run_reliability_suite();
std::unique_ptr<QObject> make_run_untrusted_suite();

namespace {

bool has_test_function(const QObject& suite, const QString& name) {
  const QString function = name.section(':', 0, 0);  // FUNCTION:DATATAG
  return suite.metaObject()->indexOfMethod(QMetaObject::normalizedSignature(qPrintable(function + "()"))) >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  std::vector<std::unique_ptr<QObject>> suites;
  suites.push_back(make_run_reliability_suite());
  suites.push_back(make_run_untrusted_suite());
  int failed = 0;
  for (const auto& suite : suites) {
    // The options pass to every part; a test function only to the part that has it.
    QStringList own = {args.front()};
    bool named = false, named_here = false;
    for (int i = 1; i < args.size(); ++i) {
      const QString& a = args[i];
      if (a.startsWith('-')) {
        own << a;
        continue;
      }
      const bool here = has_test_function(*suite, a);
      const bool elsewhere = !here && std::any_of(suites.begin(), suites.end(),
                                                  [&](const auto& other) { return has_test_function(*other, a); });
      named = named || here || elsewhere;
      named_here = named_here || here;
      if (!elsewhere) own << a;  // an option's value, or a name no part has (which QTest reports)
    }
    if (named && !named_here) continue;
    failed += QTest::qExec(suite.get(), own);
  }
  return failed;
}
