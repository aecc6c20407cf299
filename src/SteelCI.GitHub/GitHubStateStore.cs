using Octokit;
using SteelCI.Ports;

namespace SteelCI.GitHub;

/// <summary>How <see cref="GitHubStateStore"/> keeps state and leases.</summary>
public sealed class GitHubStateOptions
{
    /// <summary>How long a lease lasts without renewal; a killed tick blocks others at most this long. Each save renews
    /// a lease that has less than half of this left. Longer than the workflow job's timeout (60 min).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(75);

    /// <summary>State assets kept on the release (newest by sequence); older ones are deleted after each save.</summary>
    public int Keep { get; init; } = 20;

    /// <summary>Who holds a lease, as written in its asset name (letters, digits, '-', '_', '.'); default: machine, pid, random.</summary>
    public string? Holder { get; init; }

    /// <summary>When set, a held lease is also renewed in the background this often (for `steelci run`, which may wait
    /// hours between saves). Null: renewed by saves only.</summary>
    public TimeSpan? RenewEvery { get; init; }
}

/// <summary>
/// state.json kept on GitHub, for pipelines whose store is GitHub and whose runners share no disk (the scheduled
/// workflow): assets of one draft release <c>steelci-state-{pipeline}</c>. Each save uploads a new asset
/// <c>state-{sequence:000000}-{nonce}-{sha256[..16]}.json</c>, never replacing one in place; a load takes the highest
/// sequence whose asset is complete, hashes to its name and parses (a half-uploaded or damaged one is skipped). Older
/// assets are pruned to the newest <see cref="GitHubStateOptions.Keep"/>. Concurrent writers: <see cref="LockAsync"/>
/// uploads a lease <c>lock-{expiresUnixSeconds}-{holder}.json</c>; of the unexpired leases the one GitHub created first
/// (lowest asset id) wins and the others are withdrawn and refused with <see cref="StateLockedException"/>. A lease
/// expires (a killed tick blocks nobody for longer than <see cref="GitHubStateOptions.LeaseDuration"/>) and is renewed
/// by renaming it. A save checks that its lease still wins and that no newer state was written since this store last
/// read or wrote one (else <see cref="StateLockedException"/>: it lost the race); after uploading it checks again.
/// </summary>
public sealed partial class GitHubStateStore : IStateStore
{
    private readonly GitHubStoreOptions options;
    private readonly GitHubStateOptions stateOptions;
    private readonly TimeProvider time;
    private readonly IGitHubClient client;
    private readonly GitHubCalls calls;
    private readonly AssetTransfers transfers;
    private readonly string holder;
    private Release? release;
    private long? knownSequence;
    private Lease? lease;
    private readonly SemaphoreSlim leaseGate = new(1, 1);

    public GitHubStateStore(GitHubStoreOptions options, string pipeline, HttpClient transfers, TimeProvider time, GitHubStateOptions? stateOptions = null)
        : this(options, pipeline, transfers, time, GitHubArtifactStore.CreateClient(options), stateOptions)
    {
    }

    /// <summary>With an Octokit client of the caller's making.</summary>
    public GitHubStateStore(GitHubStoreOptions options, string pipeline, HttpClient transfers, TimeProvider time, IGitHubClient client, GitHubStateOptions? stateOptions = null)
    {
        if (string.IsNullOrWhiteSpace(options.Token) || options.Token.Any(char.IsControl))
            throw new GitHubStoreException("The GitHub token is empty or malformed.");
        if (string.IsNullOrWhiteSpace(pipeline))
            throw new ArgumentException("pipeline name is empty", nameof(pipeline));
        this.options = options;
        this.stateOptions = stateOptions ?? new GitHubStateOptions();
        if (this.stateOptions.Keep < 1 || this.stateOptions.LeaseDuration <= TimeSpan.Zero)
            throw new ArgumentException("Keep must be at least 1 and LeaseDuration positive", nameof(stateOptions));
        this.time = time;
        this.client = client;
        calls = new GitHubCalls(options, time, () => client.GetLastApiInfo()?.RateLimit);
        this.transfers = new AssetTransfers(transfers, options);
        Tag = "steelci-state-" + Sanitize(pipeline);
        holder = Sanitize(this.stateOptions.Holder ?? $"{Environment.MachineName}-{Environment.ProcessId}-{RandomHex(3)}");
        if (holder.Length > 60)
            holder = holder[..60];
    }

    /// <summary>The tag of the draft release that holds the state.</summary>
    public string Tag { get; }

    public string Location => $"github:{options.Owner}/{options.Repository} draft release {Tag}";

    private IReleasesClient Releases => client.Repository.Release;

    private void Log(string line) => options.Log?.Invoke(line);

    private sealed record Lease(int AssetId, string Name, string Holder, DateTimeOffset Expires);
}
