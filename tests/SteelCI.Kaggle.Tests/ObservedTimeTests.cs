using SteelCI.Testing;

namespace SteelCI.Kaggle.Tests;

/// <summary>The fake clock that every harness drives: its record of armed timers must match when they really fire.</summary>
public sealed class ObservedTimeTests
{
    [Fact]
    public async Task Timers_armed_while_another_thread_drives_the_clock_all_fire()
    {
        // A CI run once hung for its whole limit: a timer's due time was recorded, the driver moved the clock before
        // the fake scheduled it, and from then on "advance to the next timer" advanced by zero for ever.
        var time = new ObservedTime(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        using var stop = new CancellationTokenSource();
        var stopped = new TaskCompletionSource();
        stop.Token.Register(() => stopped.TrySetResult());
        var standingStill = 0;
        var driver = Task.Run(async () =>
        {
            // As Harness.Drive does: wait for a timer to be armed, then advance to it.
            while (!stop.IsCancellationRequested)
            {
                var changed = time.Changed;
                var before = time.GetUtcNow();
                if (!time.AdvanceToNextTimer())
                {
                    await Task.WhenAny(changed, stopped.Task);
                    continue;
                }
                standingStill = time.GetUtcNow() == before ? standingStill + 1 : 0;
                if (standingStill > 10_000)
                    return; // a recorded due time that never fires
            }
        });
        var delays = Task.WhenAll(Enumerable.Range(1, 8).Select(n => Task.Run(async () =>
        {
            for (var i = 0; i < 1_000; i++)
                await Task.Delay(TimeSpan.FromSeconds(n), time);
        })));
        var finished = await Eventually.Until(() => delays.IsCompleted || driver.IsCompleted, TimeSpan.FromMinutes(2)) && delays.IsCompleted;
        stop.Cancel();
        await driver;
        Assert.True(finished, $"a delay never fired: {time.Armed} armed, next due {time.NextDue:O}, now {time.GetUtcNow():O}");
        await delays;
    }
}
