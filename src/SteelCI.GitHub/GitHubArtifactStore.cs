using System.Collections.Concurrent;
using System.Text.Json;
using Octokit;
using Octokit.Internal;
using SteelCI.Contracts;
using SteelCI.Ports;

namespace SteelCI.GitHub;

/// <summary>
/// Stage outputs as GitHub releases: one release per output, tagged with the <see cref="ReleaseTag"/> string, a
/// prerelease that never becomes "latest". Assets go up to a draft that is published last, so a reader (and the
/// tag lookup) only ever sees complete releases. See docs/github.md.
/// </summary>
public sealed partial class GitHubArtifactStore : IArtifactStore, IDirectFetch
{
    private const string IndexMarker = "steelci-index-sha256:";
    private readonly GitHubStoreOptions options;
    private readonly TimeProvider time;
    private readonly IGitHubClient client;
    private readonly GitHubCalls calls;
    private readonly AssetTransfers transfers;
    private readonly ConcurrentDictionary<int, Manifest> manifests = new();

    /// <param name="options">Repository, token, cache folder, part size.</param>
    /// <param name="transfers">For asset bytes; must not follow redirects itself (see <see cref="CreateTransferClient"/>).</param>
    /// <param name="time">All waits (rate limits, back-off, write spacing) run on it.</param>
    public GitHubArtifactStore(GitHubStoreOptions options, HttpClient transfers, TimeProvider time)
        : this(options, transfers, time, CreateClient(options))
    {
    }

    /// <summary>With an Octokit client of the caller's making (tests inject failing handlers this way).</summary>
    public GitHubArtifactStore(GitHubStoreOptions options, HttpClient transfers, TimeProvider time, IGitHubClient client)
    {
        if (string.IsNullOrWhiteSpace(options.Token) || options.Token.Any(char.IsControl))
            throw new GitHubStoreException("The GitHub token is empty or malformed.");
        this.options = options;
        this.time = time;
        this.client = client;
        calls = new GitHubCalls(options, time, () => client.GetLastApiInfo()?.RateLimit);
        this.transfers = new AssetTransfers(transfers, options);
    }

    /// <summary>An Octokit client for <see cref="GitHubStoreOptions.ApiUrl"/> exactly as given, with ETag caching.</summary>
    public static GitHubClient CreateClient(GitHubStoreOptions options)
    {
        var api = options.ApiUrl.AbsoluteUri.EndsWith('/') ? options.ApiUrl : new Uri(options.ApiUrl.AbsoluteUri + "/");
        var product = new ProductHeaderValue("SteelCI", typeof(GitHubArtifactStore).Assembly.GetName().Version?.ToString(3));
        var connection = new Connection(product, api, new InMemoryCredentialStore(new Credentials(options.Token, AuthenticationType.Bearer)));
        return new GitHubClient(connection) { ResponseCache = new MemoryResponseCache() };
    }

    /// <summary>An HttpClient fit for asset transfers: no automatic redirects, no overall timeout (parts approach 2 GiB).</summary>
    public static HttpClient CreateTransferClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string Location => $"github:{options.Owner}/{options.Repository}";

    private IReleasesClient Releases => client.Repository.Release;

    /// <summary>Where publishing builds the zip of packed files (format 2 indexes).</summary>
    private string PackDirectory => Path.Combine(options.CacheDirectory, ".pack");

    private string Owner => options.Owner;

    private string Repo => options.Repository;

    /// <summary>Deletes SteelCI drafts older than <see cref="GitHubStoreOptions.StaleDraftAge"/>; younger ones stay for the
    /// next publish of the same output to complete. Published releases are never touched.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var draft in (await AllReleasesAsync(cancellationToken)).Where(r => r.Draft && IndexHashOf(r) is not null))
            if (now - draft.CreatedAt > options.StaleDraftAge)
            {
                Log($"deleting stale draft {draft.Id} for {draft.TagName}");
                await DeleteReleaseAsync(draft, cancellationToken);
            }
    }

    public async Task<StoredRelease?> FindAsync(string tag, CancellationToken cancellationToken) =>
        await PublishedAsync(tag, cancellationToken) is { } release ? await StoredAsync(release, cancellationToken) : null;

    public async Task<IReadOnlyList<StoredRelease>> ListAsync(string tagPrefix, CancellationToken cancellationToken)
    {
        var stored = new List<StoredRelease>();
        foreach (var release in (await AllReleasesAsync(cancellationToken))
                     .Where(r => !r.Draft && r.TagName.StartsWith(tagPrefix, StringComparison.Ordinal))
                     .OrderBy(r => r.TagName, StringComparer.Ordinal))
            if (await StoredAsync(release, cancellationToken) is { } found)
                stored.Add(found);
        return stored;
    }

    private async Task<Release?> PublishedAsync(string tag, CancellationToken cancellationToken) =>
        await calls.ReadAsync($"release {tag}", async (_, _) =>
        {
            try
            {
                return await Releases.Get(Owner, Repo, tag);
            }
            catch (NotFoundException)
            {
                return null;
            }
        }, cancellationToken);

    private Task<IReadOnlyList<Release>> AllReleasesAsync(CancellationToken cancellationToken) =>
        calls.ReadAsync("list releases", (_, _) => Releases.GetAll(Owner, Repo, new ApiOptions { PageSize = 100 }), cancellationToken);

    private Task<IReadOnlyList<ReleaseAsset>> AssetsAsync(Release release, CancellationToken cancellationToken) =>
        calls.ReadAsync($"assets of {release.TagName}", (_, _) => Releases.GetAllAssets(Owner, Repo, release.Id, new ApiOptions { PageSize = 100 }), cancellationToken);

    private Task DeleteReleaseAsync(Release release, CancellationToken cancellationToken) =>
        calls.WriteAsync($"delete release {release.Id} ({release.TagName})", async (_, _) =>
        {
            try
            {
                await Releases.Delete(Owner, Repo, release.Id);
            }
            catch (NotFoundException)
            {
                // already gone: what we wanted
            }
        }, cancellationToken);

    private Task DeleteAssetAsync(ReleaseAsset asset, CancellationToken cancellationToken) =>
        calls.WriteAsync($"delete asset {asset.Name}", async (_, _) =>
        {
            try
            {
                await Releases.DeleteAsset(Owner, Repo, asset.Id);
            }
            catch (NotFoundException)
            {
            }
        }, cancellationToken);

    /// <summary>The release with its manifest, or null when it has no complete manifest asset (not a SteelCI release).</summary>
    private async Task<StoredRelease?> StoredAsync(Release release, CancellationToken cancellationToken)
    {
        var assets = release.Assets.Count > 0 ? release.Assets : await AssetsAsync(release, cancellationToken);
        var asset = assets.FirstOrDefault(a => a.Name == Manifest.FileName && a.State == "uploaded");
        if (asset is null)
        {
            Log($"release {release.TagName} has no complete {Manifest.FileName}; ignored");
            return null;
        }
        if (!manifests.TryGetValue(asset.Id, out var manifest))
        {
            var bytes = await SmallAssetAsync(asset, cancellationToken);
            try
            {
                manifest = JsonSerializer.Deserialize<Manifest>(bytes, Json.Options) ?? throw new InvalidDataException("empty");
            }
            catch (Exception error) when (error is JsonException or InvalidDataException)
            {
                throw new GitHubStoreException($"release {release.TagName}: its {Manifest.FileName} is not a valid manifest ({error.Message})", error);
            }
            manifests[asset.Id] = manifest;
        }
        return new StoredRelease(release.TagName, manifest, release.HtmlUrl);
    }

    /// <summary>A manifest or index asset, read whole (at most 64 MiB).</summary>
    private Task<byte[]> SmallAssetAsync(ReleaseAsset asset, CancellationToken cancellationToken) =>
        calls.ReadAsync($"download {asset.Name}",
            (_, ct) => transfers.ReadWholeAsync(asset, 64 << 20, $"asset {asset.Name}", "a manifest or index", ct), cancellationToken);

    private static string? IndexHashOf(Release release)
    {
        var body = release.Body ?? "";
        var at = body.IndexOf(IndexMarker, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var rest = body[(at + IndexMarker.Length)..].TrimStart();
        return rest.Length >= 64 ? rest[..64] : null;
    }

    private void Log(string line) => options.Log?.Invoke(line);
}

/// <summary>A store that can fetch a release straight into a folder of the caller's choosing (no copy from a cache).</summary>
public interface IDirectFetch
{
    /// <summary>Downloads, verifies and then moves the release's files into <paramref name="directory"/>, which must not exist yet.</summary>
    Task<string> FetchIntoAsync(StoredRelease release, string directory, CancellationToken cancellationToken);
}
