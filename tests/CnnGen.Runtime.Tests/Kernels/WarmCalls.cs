namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// "Allocates nothing once warm", read so that it can fail only on the code: of a few consecutive warm calls,
/// some one must allocate 0 B. A per-call allocation repeats on every call; the runtime's own one-off work
/// (JIT tiering, on-stack replacement) lands on the calling thread at random — CI saw 4,000 and 5,936 B once on a
/// measured two-thread convolution call at 128 bits, after warm calls. ConcurrencyTests reads rounds the same way.
/// </summary>
internal static class WarmCalls
{
    public static void AssertSomeCallAllocatesNothing(Action call, string what, int calls = 3)
    {
        var allocated = new long[calls];
        for (int i = 0; i < calls; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(allocated.Contains(0), $"{what}: bytes allocated by {calls} warm calls: {string.Join(", ", allocated)}");
    }
}
