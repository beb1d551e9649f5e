#include <stdio.h>

int main(void) {
    puts("hello from the sample project");
    return 0;
}
