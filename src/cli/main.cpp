#include <creodias/version.hpp>
#include <cstdio>
int main() { std::printf("creodias %s\n", creodias::version()); return 0; }
