int LLAMA_BUILD_NUMBER = 7104;
char const *LLAMA_COMMIT = "1692f9e50";
char const *LLAMA_COMPILER = "cc (Ubuntu 13.3.0-6ubuntu2~24.04) 13.3.0";
char const *LLAMA_BUILD_TARGET = "x86_64-linux-gnu";
