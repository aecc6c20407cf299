using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;

namespace SteelCI.Kaggle.Tests;

/// <summary>The live log stream on fake time: epochs of a running kernel arrive before it ends, across streams the fake
/// drops (each reconnect replays from the start, nothing is shown twice); a silent session is flagged before its end.</summary>
public sealed class LiveLogTests : IDisposable
{
    // The stream's own HttpClient: the harness counts a response as in flight until its body ends, and holds the fake
    // clock still meanwhile; an open stream would hold it for ever.
    private readonly HttpClient _stream = new();

    public void Dispose() => _stream.Dispose();

    private static readonly TimeSpan RunTime = TimeSpan.FromMinutes(10);

    private static SaveKernelRequest Push(string slug) => new()
    {
        Slug = $"alice/{slug}", NewTitle = slug, Text = "print('hi')\n", Language = "python", KernelType = "script",
        IsPrivate = true, EnableInternet = false,
    };

    private static Task<Harness> StartAsync(IReadOnlyList<(TimeSpan, string)> lines, TimeSpan? runTime = null) =>
        Harness.StartAsync(o => o with
        {
            Runner = new ScriptedKernelRunner(o.Time, runTime ?? RunTime, liveLines: lines),
            LogStreamInterval = TimeSpan.FromSeconds(30),
        });

    /// <summary>The stream is real I/O the harness cannot see: a little real time after each step of the fake clock lets
    /// the fake write and the client read before the clock moves on.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(50);

    private static readonly (TimeSpan, string)[] Epochs =
        Enumerable.Range(1, 5).Select(e => (TimeSpan.FromMinutes(e * 1.5), $"[seg1] epoch {e}: loss 0.{9 - e} over 8 steps")).ToArray();

    [Fact]
    public async Task Following_a_running_kernel_shows_each_epoch_before_it_ends_across_dropped_streams()
    {
        await using var h = await StartAsync(Epochs);
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("live-run-1"), CancellationToken.None);
        h.Server.Faults.DropLogStreams = 2;
        h.Server.Faults.LogStreamDropAfter = 2;
        var shown = new List<(bool Live, string Data)>();
        var progress = new LiveProgress(h.Time);

        var end = await h.Drive(new KernelLogStream(alice, _stream).FollowAsync("alice", "live-run-1", e =>
        {
            shown.Add((e.Live, e.Data));
            progress.Observe(e);
            return Task.CompletedTask;
        }, CancellationToken.None), step: TimeSpan.FromSeconds(30), realPace: Pace);

        Assert.Equal(LogFollowEnd.Ended, end);
        Assert.Equal(Epochs.Select(e => e.Item2 + "\n").Append("hello from the fake kernel\n"), shown.Select(s => s.Data)); // once each, in order
        Assert.Equal(2, h.Server.Faults.InjectedByKind["dropped log stream"]);
        Assert.True(h.Server.State.Calls("LogsStream") >= 3, "a connection per drop plus the last");
        // Each epoch came as a live event, which the service sends only while the session runs (an ended one answers
        // with its stored log instead).
        Assert.All(shown.Take(5), s => Assert.True(s.Live, $"'{s.Data.Trim()}' came from the stored log"));
        Assert.Equal(5, progress.Epoch);
        Assert.Equal("epoch 5", progress.Describe());
    }

    [Fact]
    public async Task An_ended_kernels_log_comes_whole_as_a_json_array()
    {
        await using var h = await StartAsync(Epochs);
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("done-run-1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(6));
        h.Server.AdvanceKernels(); // started (the fake moves sessions when asked)
        h.Time.Advance(RunTime + TimeSpan.FromMinutes(1));
        h.Server.AdvanceKernels(); // ended

        var events = new List<KernelLogEvent>();
        await foreach (var entry in new KernelLogStream(alice, _stream).ReadAsync("alice", "done-run-1", CancellationToken.None))
            events.Add(entry);

        Assert.Equal(6, events.Count);
        Assert.All(events, e => Assert.Equal("stdout", e.Stream));
        Assert.Equal(Epochs[2].Item1.TotalSeconds, events[2].Time);
    }

    [Fact]
    public async Task Another_accounts_or_an_unknown_kernel_is_refused_as_the_cli_says()
    {
        await using var h = await StartAsync(Epochs);
        await h.Alice().SaveKernelAsync(Push("private-run-1"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<KaggleNotFoundException>(async () =>
        {
            await foreach (var _ in new KernelLogStream(h.Bob(), _stream).ReadAsync("alice", "private-run-1", CancellationToken.None))
            {
            }
        });
        Assert.Contains("Permission 'kernels.get' was denied", error.Message);
    }

    [Fact]
    public async Task A_session_silent_for_longer_than_the_limit_is_flagged_once_before_its_deadline()
    {
        // One line a minute in, then nothing until the session ends at 60 minutes.
        await using var h = await StartAsync([(TimeSpan.FromMinutes(1), "[binary] epoch 1/20 started")], runTime: TimeSpan.FromMinutes(60));
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("quiet-run-1"), CancellationToken.None);
        var pushed = h.Time.GetUtcNow();
        var progress = new LiveProgress(h.Time);
        var flags = new List<(TimeSpan At, TimeSpan Silent)>();
        using var stop = new CancellationTokenSource();
        var watch = progress.WatchSilenceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
            silent => flags.Add((h.Time.GetUtcNow() - pushed, silent)), stop.Token);

        await h.Drive(new KernelLogStream(alice, _stream).FollowAsync("alice", "quiet-run-1", e =>
        {
            progress.Observe(e);
            return Task.CompletedTask;
        }, CancellationToken.None), step: TimeSpan.FromMinutes(1), realPace: Pace);
        await stop.CancelAsync();
        await watch;

        var flag = Assert.Single(flags);
        Assert.InRange(flag.At, TimeSpan.FromMinutes(21), TimeSpan.FromMinutes(23)); // the limit after the last line, not at the end
        Assert.True(flag.Silent > TimeSpan.FromMinutes(20));
        Assert.Equal("epoch 1/20", progress.Describe());
    }
}
