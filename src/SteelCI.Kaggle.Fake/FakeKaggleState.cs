using System.Collections.Concurrent;

namespace SteelCI.Kaggle.Fake;

/// <summary>Everything the fake knows, in memory (bytes on disk). Tests read it to check what really happened.</summary>
public sealed class FakeKaggleState
{
    internal readonly object Gate = new();
    internal readonly Dictionary<string, string> Tokens = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, string> LegacyKeys = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, long> UserIds = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, FakeKernel> Kernels = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, FakeDataset> Datasets = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, FakeBlob> BlobsById = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, FakeBlob> BlobsByToken = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, string> Downloads = new(StringComparer.Ordinal);
    internal readonly HashSet<string> WithoutGpu = new(StringComparer.Ordinal);
    /// <summary>Deleted kernels whose session still runs (see FakeKaggleOptions.DeleteStopsSession).</summary>
    internal readonly List<FakeKernel> Deleted = [];
    /// <summary>Competition slug → the folder of its data.</summary>
    internal readonly Dictionary<string, string> Competitions = new(StringComparer.Ordinal);
    private readonly HashSet<(string User, string Competition)> _acceptedRules = [];
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private long _nextId = 135302787;
    private long _bytesReceived;

    /// <summary>Adds a user with an API token and/or a legacy key.</summary>
    public void AddUser(string username, string? token = null, string? legacyKey = null)
    {
        lock (Gate)
        {
            if (token is not null)
                Tokens[token] = username;
            if (legacyKey is not null)
                LegacyKeys[username] = legacyKey;
            UserIds.TryAdd(username, 1000 + UserIds.Count);
        }
    }

    /// <summary>An account without GPU access: its quota reply has no <c>gpuQuota</c> (kaggle-api.md §8).</summary>
    public void RemoveGpuAccess(string username)
    {
        lock (Gate)
            WithoutGpu.Add(username);
    }

    /// <summary>The user accepted the competition's rules; until then a push listing it gets it back in invalidCompetitionSources.</summary>
    public void AcceptCompetitionRules(string username, string competition)
    {
        lock (Gate)
            _acceptedRules.Add((username, competition));
    }

    /// <summary>A competition whose data is the folder <paramref name="directory"/>; users must still accept its rules.</summary>
    public void AddCompetition(string slug, string directory)
    {
        lock (Gate)
            Competitions[slug] = Path.GetFullPath(directory);
    }

    /// <summary>Kernels the API can see, and deleted ones whose session still runs.</summary>
    internal IEnumerable<FakeKernel> AllKernels() => Kernels.Values.Concat(Deleted);

    /// <summary>How many of the user's sessions are queued or running, those of deleted kernels included.</summary>
    public int ActiveSessions(string username)
    {
        lock (Gate)
            return AllKernels().Where(k => k.Owner == username).SelectMany(k => k.Versions).Count(v => v.IsActive);
    }

    internal bool AcceptedRules(string username, string competition) => _acceptedRules.Contains((username, competition.Split('/')[^1]));

    /// <summary>Revokes a token: later calls with it get 401.</summary>
    public void RevokeToken(string token)
    {
        lock (Gate)
            Tokens.Remove(token);
    }

    public int Calls(string method) => _calls.GetValueOrDefault(method);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>How many versions the kernel owner/slug has (0 when it does not exist).</summary>
    public int VersionCount(string owner, string slug)
    {
        lock (Gate)
            return Kernels.TryGetValue($"{owner}/{slug}", out var kernel) ? kernel.Versions.Count : 0;
    }

    public IReadOnlyList<string> KernelRefs(string owner)
    {
        lock (Gate)
            return Kernels.Values.Where(k => k.Owner == owner).Select(k => k.Ref).Order().ToList();
    }

    public IReadOnlyList<string> DatasetRefs(string owner)
    {
        lock (Gate)
            return Datasets.Values.Where(d => d.Owner == owner).Select(d => $"{d.Owner}/{d.Slug}").Order().ToList();
    }

    /// <summary>The relative file paths of a dataset's latest version.</summary>
    public IReadOnlyList<string> DatasetFiles(string owner, string slug)
    {
        lock (Gate)
            return Datasets.TryGetValue($"{owner}/{slug}", out var dataset) ? dataset.Versions[^1].Files.Keys.Order().ToList() : [];
    }

    /// <summary>The names of the blobs an owner started uploading (StartBlobUpload), in no particular order.</summary>
    public IReadOnlyList<string> UploadNames(string owner)
    {
        lock (Gate)
            return BlobsById.Values.Where(b => b.Owner == owner).Select(b => b.Name).ToList();
    }

    /// <summary>Why the latest version of a dataset fails processing (an archive that cannot be unpacked), or null.</summary>
    public string? DatasetFailure(string owner, string slug)
    {
        lock (Gate)
            return Datasets.TryGetValue($"{owner}/{slug}", out var dataset) ? dataset.Versions[^1].Failure : null;
    }

    internal void CountCall(string method) => _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
    internal void CountBytes(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);
    internal long NextId() => Interlocked.Increment(ref _nextId);
}
