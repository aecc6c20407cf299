using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SteelCI.Testing;
using Octokit;
using Octokit.Internal;
using SteelCI.Contracts;
using SteelCI.GitHub.Fake;
using SteelCI.Hashing;

namespace SteelCI.GitHub.Tests;

/// <summary>A fake GitHub on loopback, a fake clock, and a store pointed at it. One per test: faults are global.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string Token = "ghp_TESTTOKEN0123456789secret";
    public const string Owner = "acme";
    public const string Repo = "checkpoints";

    private Harness(FakeGitHubServer server, ObservedTime time, string root)
    {
        Server = server;
        Time = time;
        Root = root;
    }

    public FakeGitHubServer Server { get; }
    public ObservedTime Time { get; }
    public string Root { get; }
    public ConcurrentQueue<string> Log { get; } = new();
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    /// <summary>When true (the default) every wait is satisfied at once by advancing the fake clock by exactly its length.</summary>
    public bool AutoAdvance { get; set; } = true;

    /// <summary>Told of every wait after its timer is armed, before any auto-advance.</summary>
    public Action<TimeSpan>? OnWait { get; set; }

    public string Cache => Path.Combine(Root, "cache");

    public static async Task<Harness> StartAsync(bool immutable = false)
    {
        var time = new ObservedTime(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var server = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = Token, Time = time, ImmutableReleases = immutable });
        var root = Path.Combine(Path.GetTempPath(), "steelci-gh-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        return new Harness(server, time, root);
    }

    public GitHubStoreOptions Options(long partSize = 1 << 20, string? token = null, int maxAttempts = 6) => new()
    {
        MaxAttempts = maxAttempts,
        Owner = Owner,
        Repository = Repo,
        ApiUrl = Server.ApiUri,
        Token = token ?? Token,
        CacheDirectory = Cache,
        PartSize = partSize,
        MinMutationInterval = TimeSpan.Zero,
        Log = Log.Enqueue,
        Waiting = (delay, _) =>
        {
            Waits.Enqueue(delay);
            OnWait?.Invoke(delay);
            if (AutoAdvance)
                Time.Advance(delay);
        },
    };

    public GitHubArtifactStore Store(long partSize = 1 << 20, HttpClient? transfers = null, IGitHubClient? client = null, string? token = null, int maxAttempts = 6)
    {
        var options = Options(partSize, token, maxAttempts);
        return client is null
            ? new GitHubArtifactStore(options, transfers ?? GitHubArtifactStore.CreateTransferClient(), Time)
            : new GitHubArtifactStore(options, transfers ?? GitHubArtifactStore.CreateTransferClient(), Time, client);
    }

    /// <summary>Real Octokit against the fake, optionally through an extra handler (to cut requests).</summary>
    public GitHubClient Octokit(HttpMessageHandler? handler = null, string? token = null)
    {
        var credentials = new InMemoryCredentialStore(new Credentials(token ?? Token, AuthenticationType.Bearer));
        if (handler is null)
            return new GitHubClient(new ProductHeaderValue("steelci-tests"), credentials, Server.BaseUri); // Octokit appends api/v3/
        var connection = new Connection(new ProductHeaderValue("steelci-tests"), Server.ApiUri, credentials,
            new HttpClientAdapter(() => handler), new SimpleJsonSerializer());
        return new GitHubClient(connection);
    }

    public IReadOnlyList<FakeRelease> Releases() => Server.State.Releases(Owner, Repo);

    public int Requests(string method, string pathContains) =>
        Server.State.Requests.Count(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal));

    /// <summary>A stage output folder: files with given sizes (deterministic bytes), and a manifest listing their sha256.</summary>
    public string Output(string name, string stage = "seg-class1", string contentKey = "0123456789abcdef0123456789abcdef",
        OutputStatus status = OutputStatus.Complete, int epochs = 4, int seed = 1, params (string Path, int Bytes)[] files)
    {
        var directory = Path.Combine(Root, "out", name);
        Directory.CreateDirectory(directory);
        if (files.Length == 0)
            files = [("model.safetensors", 3000), ("metrics.json", 40)];
        var listed = new List<ManifestFile>();
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var data = new byte[bytes];
            new Random(seed * 7919 + path.Length).NextBytes(data);
            File.WriteAllBytes(full, data);
            listed.Add(new ManifestFile(path, Sha256.OfFile(full), bytes));
        }
        var manifest = new Manifest
        {
            Pipeline = "severstal",
            Stage = stage,
            Entry = "Severstal.Trainer:Segment",
            Status = status,
            ContentKey = contentKey,
            Files = listed,
            Metrics = new Dictionary<string, double> { ["dice"] = 0.61 },
            Progress = new Progress(status == OutputStatus.Complete ? epochs : epochs / 2, epochs),
            Lineage = new Lineage { TrainerHash = "trainerhash", SteelciVersion = "0.1.0", SourceCommit = "abc123",
                Inputs = [new InputLineage("masks", "severstal-eda-aaaaaaaaaaaa", "aaaaaaaaaaaa")] },
            Runtime = new RuntimeInfo("0.107.0", "2.10.0", "cpu", 2, "linux"),
            CreatedUtc = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(seed),
        };
        File.WriteAllText(Path.Combine(directory, Manifest.FileName), Json.Serialize(manifest));
        return directory;
    }

    public static string TagOf(string directory) => ReleaseTag.For(Json.Read<Manifest>(Path.Combine(directory, Manifest.FileName))).ToString();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Lets requests through until the trip function says no: a process dying mid-publish. An upload it trips on
/// sends half its body first, so the server holds an unfinished asset, as after a real kill -9.</summary>
internal sealed class KillSwitch(Func<HttpRequestMessage, int, bool> trip, Func<Task>? beforeDying = null) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    private int seen;

    public bool Tripped { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Tripped)
            throw new ProcessKilled();
        if (!trip(request, Interlocked.Increment(ref seen)))
            return await base.SendAsync(request, cancellationToken);
        Tripped = true;
        if (request.Content is null || request.Content.Headers.ContentLength is not > 1)
            throw new ProcessKilled();
        var length = request.Content.Headers.ContentLength.Value;
        var body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var type = request.Content.Headers.ContentType;
        request.Content = new DyingContent(body, length, beforeDying);
        request.Content.Headers.ContentType = type;
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException)
        {
            throw new ProcessKilled();
        }
    }

    private sealed class DyingContent(byte[] body, long length, Func<Task>? beforeDying) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            if (beforeDying is not null)
                await beforeDying().WaitAsync(TimeSpan.FromSeconds(10)); // until the server has begun the upload, so the kill lands mid-transfer
            throw new ProcessKilled();
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }
}

internal sealed class ProcessKilled() : Exception("simulated kill -9");
