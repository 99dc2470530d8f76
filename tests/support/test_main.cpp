// Entry point shared by every unit-test executable (one per module).
#define BOOST_TEST_MODULE creodias
#include <boost/test/included/unit_test.hpp>
