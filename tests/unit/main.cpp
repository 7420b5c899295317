#define BOOST_TEST_MODULE doorstroom_gateway
#include <boost/test/unit_test.hpp>
