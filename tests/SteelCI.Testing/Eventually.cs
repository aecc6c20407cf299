using System.Diagnostics;

namespace SteelCI.Testing;

/// <summary>
/// Waits for a condition about something real that the test does not drive: a process of its own, a file another
/// process writes. The outcome is decided by the condition, never by the length of a wait: the limit is only a bound
/// on a run that hangs, generous enough for a loaded machine, and the poll interval only spares the CPU.
/// This is the one place where test code may wait on the real clock (the banned-API analysis forbids it elsewhere).
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromMinutes(5);

    /// <summary>True as soon as <paramref name="condition"/> holds; false when <paramref name="limit"/> passed first.</summary>
    public static async Task<bool> Until(Func<bool> condition, TimeSpan? limit = null, TimeSpan? poll = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (limit ?? DefaultLimit))
                return condition();
#pragma warning disable RS0030 // a poll of the real world, see the summary
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20));
#pragma warning restore RS0030
        }
        return true;
    }

    /// <summary>The same for a condition that must be asked asynchronously (a poll of a backend).</summary>
    public static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan? limit = null, TimeSpan? poll = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > (limit ?? DefaultLimit))
                return await condition();
#pragma warning disable RS0030 // a poll of the real world, see the summary
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20));
#pragma warning restore RS0030
        }
        return true;
    }

    /// <summary>
    /// A real-time pause, for pacing fake time to a real process that runs beside it (never to decide an outcome).
    /// </summary>
    public static Task Pause(TimeSpan length)
    {
#pragma warning disable RS0030 // pacing against a real process, see the summary
        return Task.Delay(length);
#pragma warning restore RS0030
    }

    /// <summary>The blocking form, for tests that are not async.</summary>
    public static bool UntilBlocking(Func<bool> condition, TimeSpan? limit = null) => Until(condition, limit).GetAwaiter().GetResult();
}
