/* A shared library that is not an Anvil artifact. Its constructor announces
   itself, so the tests can see whether the loader ran it (it must not, unless
   the file contains the plan magic, WITH_MAGIC, and so gets as far as dlopen).
 */
#include <stdio.h>

__attribute__((constructor)) static void announce(void) {
  puts("FOREIGN CONSTRUCTOR RAN");
}

int foreign_function(void) { return 42; }

#ifdef WITH_MAGIC
const char foreign_text[] = "ANVLPLN1";
#endif
