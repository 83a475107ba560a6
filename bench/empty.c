/* The yardstick of bench/run and bench/fixture-run.sh: a C program that does nothing, built
 * by the same compiler, so a start of the doctor is compared with the start of any
 * program on the same machine. */
int main(void)
{
    return 0;
}
