using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EmbeddedInference.Harness;

/// <summary>Times since the process started, and its peak memory, from Linux's <c>/proc</c>.</summary>
internal static partial class ProcessClock
{
    private const int ClockBootTime = 7; // CLOCK_BOOTTIME: the clock of /proc/self/stat's start time
    private const long ClockTicksPerSecond = 100; // USER_HZ, the unit of that start time on every Linux ABI

    /// <summary>When <c>Main</c> began, in <see cref="Stopwatch"/> ticks (set by the first use of this class).</summary>
    public static readonly long MainStarted = Stopwatch.GetTimestamp();

    /// <summary>
    /// The time since the kernel started this process (<c>exec</c>), or <see langword="null"/> where
    /// <c>/proc</c> does not tell. The kernel reports the start in steps of 10 ms, rounded down, so
    /// this reads up to 10 ms long.
    /// </summary>
    public static TimeSpan? SinceProcessStart()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockBootTime, out Timespec now) != 0)
        {
            return null;
        }

        try
        {
            // Field 22 of /proc/self/stat; the command name (field 2) is in parentheses and may hold spaces.
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long startTicks = long.Parse(fields[22 - 3], CultureInfo.InvariantCulture);
            double nowSeconds = now.Seconds + (now.Nanoseconds / 1e9);
            return TimeSpan.FromSeconds(nowSeconds - ((double)startTicks / ClockTicksPerSecond));
        }
        catch (Exception exception) when (exception is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The time since <see cref="MainStarted"/>.</summary>
    public static TimeSpan SinceMain() => Stopwatch.GetElapsedTime(MainStarted);

    /// <summary>The peak resident set size (<c>VmHWM</c> of <c>/proc/self/status</c>) in bytes, or <see langword="null"/>.</summary>
    public static long? PeakResidentBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    // "VmHWM:	   14236 kB"
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
