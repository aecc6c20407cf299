using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using SteelCI.State;
using SteelCI.Testing;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

/// <summary>
/// <c>steelci logs --follow</c> and <c>steelci status</c> on a running Kaggle attempt, read from the fake's live log
/// stream: the fake's session runs on its own fake clock, which the test moves; steelci reads over real HTTP.
/// </summary>
public sealed class LiveKaggleTests : IAsyncDisposable
{
    private const string Token = "KGAT_live_0123456789";
    private const string Kernel = "severstal-seg1-aaaaaaaa-a1-00001";
    private static readonly TimeSpan RunTime = TimeSpan.FromMinutes(10);
    private static readonly (TimeSpan, string)[] Epochs =
        Enumerable.Range(1, 5).Select(e => (TimeSpan.FromMinutes(e * 1.5), $"[seg1] epoch {e}/5: loss 0.{9 - e} over 8 steps")).ToArray();

    private readonly Harness _h = new();
    private readonly FakeTimeProvider _fakeClock = new(Start);
    private FakeKaggleServer? _fake;

    public async ValueTask DisposeAsync()
    {
        if (_fake is not null)
            await _fake.DisposeAsync();
        _h.Dispose();
    }

    /// <summary>The fake with account "liveacct" (user stacy) running the kernel of seg1's attempt 1; the state records it.</summary>
    private async Task<KaggleRunOptions.Values> StartAsync(DateTimeOffset recordedStart)
    {
        _fake = await FakeKaggleServer.StartAsync(new FakeKaggleOptions
        {
            Time = _fakeClock,
            Runner = new ScriptedKernelRunner(_fakeClock, RunTime, liveLines: Epochs),
            LogStreamInterval = TimeSpan.FromSeconds(30),
        }, default);
        _fake.State.AddUser("stacy", Token);
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_LIVEACCT", Token);
        await PushAsync(Kernel);
        _fakeClock.Advance(TimeSpan.FromSeconds(6));
        _fake.AdvanceKernels(); // queued → running
        var attempt = Attempt("seg1", 1, AttemptState.Running, "kaggle", "liveacct", started: recordedStart,
            handle: new() { ["account"] = "liveacct", ["owner"] = "stacy", ["kernel"] = Kernel, ["version"] = "1" });
        await _h.SaveAsync(NewState(("seg1", StageStatus.Running, [attempt])));
        return new KaggleRunOptions.Values("kaggle", ["liveacct"], _fake.BaseUrl.ToString(), null);
    }

    private async Task PushAsync(string kernel)
    {
        using var http = new HttpClient();
        using var push = new HttpRequestMessage(HttpMethod.Post, new Uri(_fake!.BaseUrl, "v1/kernels.KernelsApiService/SaveKernel"))
        {
            Content = JsonContent.Create(new { slug = $"stacy/{kernel}", newTitle = kernel, text = "print('hi')\n", language = "python",
                kernelType = "script", isPrivate = true, enableInternet = false }),
        };
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        (await http.SendAsync(push)).EnsureSuccessStatusCode();
    }

    /// <summary>The console's text; read while steelci writes it from another thread, so a torn read is read again.</summary>
    private string Output()
    {
        while (true)
        {
            try
            {
                return _h.Output;
            }
            catch (ArgumentOutOfRangeException)
            {
            }
        }
    }

    [Fact]
    public async Task Logs_follow_shows_the_epochs_of_a_running_stage_before_it_ends_across_dropped_streams()
    {
        var kaggle = await StartAsync(Start);
        _fake!.Faults.DropLogStreams = 2;
        _fake.Faults.LogStreamDropAfter = 2;

        var following = LogsCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "seg1", null, follow: true, TimeSpan.FromSeconds(1), kaggle,
            _h.Services(TimeProvider.System), default);
        // The session's clock moves to just before epoch 4 and stops: epochs 1-3 must show while it still runs.
        Assert.True(await Eventually.Until(() =>
        {
            if (_fakeClock.GetUtcNow() < Start + TimeSpan.FromMinutes(5.5))
                _fakeClock.Advance(TimeSpan.FromSeconds(30));
            return Output().Contains("epoch 3/5") || following.IsCompleted;
        }, poll: TimeSpan.FromMilliseconds(50)), Output());
        Assert.False(following.IsCompleted, Output());
        Assert.DoesNotContain("epoch 4/5", Output());

        Assert.True(await Eventually.Until(() =>
        {
            _fakeClock.Advance(TimeSpan.FromSeconds(30));
            _fake.AdvanceKernels();
            return following.IsCompleted;
        }, poll: TimeSpan.FromMilliseconds(50)), Output());

        Assert.Equal(0, await following);
        var output = Output();
        foreach (var (_, line) in Epochs)
            Assert.Equal(1, output.Split('\n').Count(l => l == line)); // each once, though the stream replayed twice
        Assert.True(output.IndexOf("epoch 1/5", StringComparison.Ordinal) < output.IndexOf("epoch 5/5", StringComparison.Ordinal));
        Assert.Contains("-- attempt 1's log ended (epoch 5/5)", output);
        Assert.Equal(2, _fake.Faults.InjectedByKind["dropped log stream"]);
    }

    [Fact]
    public async Task Status_shows_the_epoch_a_running_attempt_reached_and_flags_a_silent_one()
    {
        // Recorded as started two hours ago (real time): the last line, 3 minutes into the session, is long past.
        var twoHoursAgo = TimeProvider.System.GetUtcNow() - TimeSpan.FromHours(2);
        var kaggle = await StartAsync(twoHoursAgo);
        _fakeClock.Advance(TimeSpan.FromMinutes(4));
        // seg2's kernel is pushed now and stays queued (the fake's clock holds still): waiting for a GPU is not silence.
        const string queuedKernel = "severstal-seg2-aaaaaaaa-a1-00001";
        await PushAsync(queuedKernel);
        var state = await _h.LoadAsync();
        var queued = Attempt("seg2", 1, AttemptState.Queued, "kaggle", "liveacct", started: twoHoursAgo,
            handle: new() { ["account"] = "liveacct", ["owner"] = "stacy", ["kernel"] = queuedKernel, ["version"] = "1" });
        state.Stages["seg2"] = NewState(("seg2", StageStatus.Running, [queued])).Stages["seg2"];
        await _h.SaveAsync(state);

        var code = await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, false, kaggle, _h.Services(TimeProvider.System), default,
            silenceLimit: TimeSpan.FromMinutes(30));

        Assert.Equal(0, code);
        Assert.Contains("epoch 2/5 (live); SILENT ", Output());
        Assert.Contains("(limit 30 min): the trainer may hang", Output());
        Assert.Single(Regex.Matches(Output(), "SILENT"));
        Assert.Matches("queued on Kaggle for 1[0-9]{2} min, no log yet", Output());

        var quiet = new Harness();
        await quiet.SaveAsync(await _h.LoadAsync());
        Assert.Equal(0, await StatusCommand.RunAsync(quiet.Spec, quiet.WorkspaceRoot, null, true, kaggle, quiet.Services(TimeProvider.System), default,
            silenceLimit: TimeSpan.FromHours(3)));
        Assert.Contains("\"live\": \"epoch 2/5 (live)\"", quiet.Output);
        quiet.Dispose();
    }
}
