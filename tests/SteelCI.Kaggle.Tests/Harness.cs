using Microsoft.Extensions.Time.Testing;
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
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) });

    private Harness(FakeKaggleServer server, FakeTimeProvider time, string workspace)
    {
        Server = server;
        Time = time;
        Workspace = workspace;
    }

    public FakeKaggleServer Server { get; }
    public FakeTimeProvider Time { get; }
    public string Workspace { get; }
    public RecordingLog Log { get; } = new();

    public static async Task<Harness> StartAsync(Func<FakeKaggleOptions, FakeKaggleOptions>? configure = null, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
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

    /// <summary>Awaits a task while moving the fake clock forward, so backoff and polling never sleep.</summary>
    public async Task<T> Drive<T>(Task<T> task, TimeSpan? step = null, TimeSpan? limit = null)
    {
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(2));
            if (task.IsCompleted)
                break;
            Time.Advance(step ?? TimeSpan.FromSeconds(1));
            advanced += step ?? TimeSpan.FromSeconds(1);
            if (advanced > (limit ?? TimeSpan.FromHours(2)))
                throw new TimeoutException($"still running after {advanced} of fake time");
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
