#include <netsock.h>
int main(void) { return 0; }
