using Microsoft.Extensions.Time.Testing;
using SteelCI.Testing;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Kaggle.Fake;

namespace SteelCI.Kaggle.Tests;

/// <summary>A fake Kaggle on loopback, a fake clock shared by both sides, and clients for alice and bob.</summary>
public sealed class Harness : IAsyncDisposable
{
    public const string AliceToken = "KGAT_alice_0123456789abcdef";
    public const string BobToken = "KGAT_bob_fedcba9876543210";
    public const string CarolKey = "carol-legacy-key-42";

    private readonly List<KaggleClient> _clients = [];
    private readonly InFlightHandler _requests = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) });
    private readonly HttpClient _http;

    private Harness(FakeKaggleServer server, ObservedTime time, string workspace)
    {
        _http = new HttpClient(_requests);
        Server = server;
        Time = time;
        Workspace = workspace;
    }

    public FakeKaggleServer Server { get; }
    public ObservedTime Time { get; }
    public string Workspace { get; }
    public RecordingLog Log { get; } = new();

    public static async Task<Harness> StartAsync(Func<FakeKaggleOptions, FakeKaggleOptions>? configure = null, ObservedTime? time = null)
    {
        time ??= new ObservedTime(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        var options = new FakeKaggleOptions { Time = time, QueueTime = TimeSpan.FromSeconds(5), DatasetProcessingTime = TimeSpan.FromSeconds(20) };
        options = options with { Runner = new ScriptedKernelRunner(time, TimeSpan.FromMinutes(10)) };
        if (configure is not null)
            options = configure(options);
        var server = await FakeKaggleServer.StartAsync(options, CancellationToken.None);
        server.State.AddUser("alice", AliceToken);
        server.State.AddUser("bob", BobToken);
        server.State.AddUser("carol", legacyKey: CarolKey);
        var workspace = Directory.CreateTempSubdirectory("steelci-kaggle-test-").FullName;
        return new Harness(server, time, workspace);
    }

    public KaggleClientOptions ClientOptions => new()
    {
        BaseUrl = Server.BaseUrl,
        RequestTimeout = TimeSpan.FromSeconds(20),
        MaxRetries = 4,
        BaseDelay = TimeSpan.FromSeconds(2),
        MaxDelay = TimeSpan.FromSeconds(30),
        Randomizer = () => 0.5,
    };

    public KaggleClient Client(KaggleAccount account, KaggleClientOptions? options = null)
    {
        var client = new KaggleClient(_http, account, options ?? ClientOptions, Time, Log);
        _clients.Add(client);
        return client;
    }

    public KaggleClient Alice(KaggleClientOptions? options = null) =>
        Client(new KaggleAccount("alice", new TokenCredential(new Secret(AliceToken), "test")), options);

    public KaggleClient Bob(KaggleClientOptions? options = null) =>
        Client(new KaggleAccount("bob", new TokenCredential(new Secret(BobToken), "test")), options);

    public KaggleClient Carol(KaggleClientOptions? options = null) =>
        Client(new KaggleAccount("carol", new LegacyKeyCredential("carol", new Secret(CarolKey), "test")), options);

    /// <summary>
    /// Awaits a task, moving the fake clock only while the code waits on it: when no request of this harness's clients
    /// is in flight and a timer is armed, the clock jumps to that timer (by at most <paramref name="step"/> at a time).
    /// While a request is on the wire the clock stands still, so a slow machine never turns real latency into fake
    /// minutes (a dataset "still processing" for ever, a kernel "not visible" past its grace).
    /// </summary>
    /// <remarks>
    /// With a real kernel process on the fake (<paramref name="realPace"/> set), fake time is paced to the real clock:
    /// each advance waits that long for the process, so a session timeout on the fake's clock stays far out of reach
    /// (200 ms of fake time per 20 ms of real time: a 20-minute session is 2 minutes of real time).
    /// </remarks>
    public async Task<T> Drive<T>(Task<T> task, TimeSpan? step = null, TimeSpan? limit = null, TimeSpan? realPace = null)
    {
        var start = Time.GetUtcNow();
        var standingStill = 0;
        while (!task.IsCompleted)
        {
            var timersChanged = Time.Changed;
            var requestsChanged = _requests.Changed;
            var before = Time.GetUtcNow();
            if (_requests.InFlight == 0 && Time.AdvanceToNextTimer(step))
            {
                if (Time.GetUtcNow() - start > (limit ?? TimeSpan.FromHours(2)))
                    throw new TimeoutException($"still running after {Time.GetUtcNow() - start} of fake time");
                // A timer due now fires and leaves; one that stays due without firing would spin here for ever.
                standingStill = Time.GetUtcNow() == before ? standingStill + 1 : 0;
                if (standingStill > 10_000)
                    throw new InvalidOperationException($"the fake clock stands still: a timer due at {Time.NextDue:O} does not fire ({Time.Armed} armed)");
                if (realPace is { } pace)
                    await Task.WhenAny(task, Eventually.Pause(pace));
                continue;
            }
            await Task.WhenAny(task, timersChanged, requestsChanged);
        }
        return await task;
    }

    public async Task Drive(Task task, TimeSpan? step = null) => await Drive(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }), step);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        _http.Dispose();
        await Server.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(Workspace, "*", SearchOption.AllDirectories))
            File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(Workspace, recursive: true);
    }
}

public sealed class RecordingLog : IKaggleLog
{
    private readonly List<string> _lines = [];
    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public void Info(string line) { lock (_lines) _lines.Add("info: " + line); }
    public void Warn(string line) { lock (_lines) _lines.Add("warn: " + line); }
}
