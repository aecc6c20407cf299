using System.Collections.Concurrent;

namespace SteelCI.GitHub.Fake;

/// <summary>The fake's in-memory repositories, releases, assets and asset bytes.</summary>
public sealed partial class FakeGitHubState
{
    private readonly string? blobDirectory;
    private readonly ConcurrentDictionary<int, byte[]> memoryBlobs = new();
    private readonly List<FakeRelease> releases = [];
    private readonly ConcurrentQueue<FakeRequest> requests = new();
    private long nextReleaseId = 1000;
    private int nextAssetId = 5000;

    internal FakeGitHubState(string? blobDirectory)
    {
        this.blobDirectory = blobDirectory;
        if (blobDirectory is not null)
            Directory.CreateDirectory(blobDirectory);
    }

    /// <summary>Raised when an upload has created its (still <c>starter</c>) asset, before the body is read.</summary>
    public event Action<FakeAsset>? UploadStarted;

    internal void OnUploadStarted(FakeAsset asset) => UploadStarted?.Invoke(asset);

    /// <summary>Hold it while reading or changing releases and assets.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Every request answered so far, oldest first.</summary>
    public IReadOnlyList<FakeRequest> Requests => requests.ToArray();

    internal void Record(FakeRequest request) => requests.Enqueue(request);

    /// <summary>A snapshot of one repository's releases (drafts included), newest first.</summary>
    public IReadOnlyList<FakeRelease> Releases(string owner, string repo)
    {
        lock (Gate)
            return ReleasesOf(owner, repo).ToList();
    }

    /// <summary>The bytes an asset holds now (a failed upload holds fewer than the file had).</summary>
    public byte[] AssetBytes(int assetId)
    {
        if (blobDirectory is null)
            return memoryBlobs.TryGetValue(assetId, out var bytes) ? bytes : [];
        var path = BlobPath(assetId);
        return File.Exists(path) ? File.ReadAllBytes(path) : [];
    }

    /// <summary>Overwrites an asset's stored bytes (same length), to simulate corruption at rest.</summary>
    public void CorruptAsset(int assetId, long offset)
    {
        if (blobDirectory is null)
        {
            memoryBlobs[assetId][offset] ^= 0xFF;
            return;
        }
        using var stream = new FileStream(BlobPath(assetId), FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0xFF));
    }

    internal IEnumerable<FakeRelease> ReleasesOf(string owner, string repo) => releases
        .Where(r => string.Equals(r.Owner, owner, StringComparison.OrdinalIgnoreCase) && string.Equals(r.Repo, repo, StringComparison.OrdinalIgnoreCase))
        .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id);

    internal IEnumerable<FakeRelease> ReleasesOfAll() => releases;

    internal FakeRelease AddRelease(string owner, string repo, string tag, DateTimeOffset now)
    {
        var release = new FakeRelease { Id = ++nextReleaseId, Owner = owner, Repo = repo, Tag = tag, CreatedAt = now };
        releases.Add(release);
        return release;
    }

    internal void RemoveRelease(FakeRelease release)
    {
        releases.Remove(release);
        foreach (var asset in release.Assets)
            DeleteBlob(asset.Id);
    }

    internal FakeAsset? FindAsset(string owner, string repo, int assetId) =>
        ReleasesOf(owner, repo).SelectMany(r => r.Assets).FirstOrDefault(a => a.Id == assetId);

    internal FakeRelease? ReleaseOf(FakeAsset asset) => releases.FirstOrDefault(r => r.Id == asset.ReleaseId);

    internal int NextAssetId() => Interlocked.Increment(ref nextAssetId);

    internal Stream CreateBlob(int assetId) => blobDirectory is null
        ? new MemoryStream()
        : new FileStream(BlobPath(assetId), FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);

    /// <summary>Stores what was written; for memory blobs the stream must be the one <see cref="CreateBlob"/> returned.</summary>
    internal void CommitBlob(int assetId, Stream written)
    {
        if (written is MemoryStream memory)
            memoryBlobs[assetId] = memory.ToArray();
    }

    internal Stream OpenBlob(int assetId) => blobDirectory is null
        ? new MemoryStream(memoryBlobs.TryGetValue(assetId, out var bytes) ? bytes : [], writable: false)
        : File.Exists(BlobPath(assetId))
            ? new FileStream(BlobPath(assetId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true)
            : new MemoryStream([], writable: false);

    internal void DeleteBlob(int assetId)
    {
        memoryBlobs.TryRemove(assetId, out _);
        if (blobDirectory is not null)
            File.Delete(BlobPath(assetId));
    }

    private string BlobPath(int assetId) => Path.Combine(blobDirectory!, $"{assetId}.bin");
}
