using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Octokit;
using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.State;

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

    // ---- lock ----

    public async Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken)
    {
        if (lease is not null)
            throw new InvalidOperationException("this state store already holds its lease");
        var target = await ReleaseAsync(cancellationToken);
        var now = time.GetUtcNow();
        var before = await AssetsAsync(target, cancellationToken);
        var dead = Leases(before).Where(l => l.Expires <= now || DiedOnThisMachine(l.Holder)).ToList();
        foreach (var expired in dead)
        {
            Log(expired.Expires <= now
                ? $"state: deleting the expired lease of {expired.Holder} (expired {expired.Expires:u})"
                : $"state: deleting the lease of {expired.Holder}: that process on this machine is gone");
            await DeleteAssetAsync(expired.Asset.Id, expired.Asset.Name, cancellationToken);
        }
        if (Leases(before).Where(l => l.Expires > now && dead.All(d => d.Asset.Id != l.Asset.Id)).MinBy(l => l.Asset.Id) is { } held)
            throw Locked(held);

        var expires = now + stateOptions.LeaseDuration;
        var name = LeaseName(expires);
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { holder, acquiredUtc = now, expiresUtc = expires }));
        UploadedAsset mine;
        try
        {
            mine = await UploadAsync(target, name, body, cancellationToken);
        }
        catch (AssetExistsException)
        {
            throw new StateLockedException($"state lease {name} already exists on {Tag}; is another runner using the same holder name?");
        }

        var after = await AssetsAsync(target, cancellationToken);
        now = time.GetUtcNow();
        var winner = Leases(after).Where(l => l.Expires > now || l.Asset.Id == mine.Id).MinBy(l => l.Asset.Id);
        if (winner is not null && winner.Asset.Id != mine.Id)
        {
            await DeleteAssetAsync(mine.Id, name, cancellationToken);
            throw Locked(winner);
        }
        lease = new Lease(mine.Id, name, holder, expires);
        knownSequence = StateAssets(after).Select(s => s.Sequence).DefaultIfEmpty(0).Max();
        Log($"state: lease taken by {holder} until {expires:u} ({Tag})");
        var stop = new CancellationTokenSource();
        var renewing = stateOptions.RenewEvery is { } every && every > TimeSpan.Zero
            ? RenewLoopAsync(every, stop.Token) // its first timer is armed before this returns
            : Task.CompletedTask;
        return new LeaseHandle(this, stop, renewing);
    }

    private StateLockedException Locked(LeaseAsset held) => new(
        $"another steelci tick of this pipeline holds the state lease on GitHub ({held.Holder}, until {held.Expires:u}, release {Tag}); " +
        "wait for it, or for the lease to expire if that tick was killed");

    private async Task RenewLoopAsync(TimeSpan every, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, time, cancellationToken);
                var assets = await AssetsAsync(await ReleaseAsync(cancellationToken), cancellationToken);
                await CheckLeaseAsync(assets, cancellationToken, force: true);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is StateLockedException or GitHubStoreException or ApiException or HttpRequestException or IOException)
        {
            Log($"state: background lease renewal stopped: {error.Message}"); // the next save fails if the lease is lost
        }
    }

    private async Task ReleaseLeaseAsync()
    {
        if (lease is not { } held)
            return;
        lease = null;
        try
        {
            await DeleteAssetAsync(held.AssetId, held.Name, CancellationToken.None);
            Log($"state: lease of {held.Holder} released");
        }
        catch (Exception error) when (error is GitHubStoreException or ApiException or HttpRequestException or IOException)
        {
            Log($"state: could not delete the lease {held.Name} ({error.GetType().Name}); it expires at {held.Expires:u}");
        }
    }

    /// <summary>Throws when this store's lease was taken over or has expired; renames it to a later expiry when half is spent.</summary>
    private async Task CheckLeaseAsync(IReadOnlyList<ReleaseAsset> assets, CancellationToken cancellationToken, bool force = false)
    {
        await leaseGate.WaitAsync(cancellationToken);
        try
        {
            await CheckLeaseLockedAsync(assets, force, cancellationToken);
        }
        finally
        {
            leaseGate.Release();
        }
    }

    private async Task CheckLeaseLockedAsync(IReadOnlyList<ReleaseAsset> assets, bool force, CancellationToken cancellationToken)
    {
        if (lease is not { } held)
            return;
        var now = time.GetUtcNow();
        var leases = Leases(assets).ToList();
        var mine = leases.FirstOrDefault(l => l.Asset.Id == held.AssetId);
        if (mine is null || mine.Expires <= now)
            throw new StateLockedException($"this tick's state lease on {Tag} expired or was removed (held until {held.Expires:u}); " +
                "another tick may have taken over, so this one stops without saving");
        var winner = leases.Where(l => l.Expires > now).MinBy(l => l.Asset.Id)!;
        if (winner.Asset.Id != held.AssetId)
            throw Locked(winner);
        if (force || held.Expires - now < stateOptions.LeaseDuration / 2)
        {
            var expires = now + stateOptions.LeaseDuration;
            var name = LeaseName(expires);
            await calls.WriteAsync($"renew state lease {held.Name}", (_, _) =>
                Releases.EditAsset(options.Owner, options.Repository, held.AssetId, new ReleaseAssetUpdate(name)), cancellationToken);
            lease = held with { Name = name, Expires = expires };
            Log($"state: lease renewed until {expires:u}");
        }
    }

    // ---- load ----

    public async Task<RunState?> LoadAsync(CancellationToken cancellationToken)
    {
        var target = await ReleaseAsync(cancellationToken);
        var assets = await AssetsAsync(target, cancellationToken);
        var states = StateAssets(assets).ToList();
        knownSequence = Math.Max(knownSequence ?? 0, states.Select(s => s.Sequence).DefaultIfEmpty(0).Max());
        foreach (var candidate in states.OrderByDescending(s => s.Sequence).ThenByDescending(s => s.Asset.Id))
        {
            if (candidate.Asset.State != "uploaded" || candidate.Asset.Size <= 0)
            {
                Log($"state: skipping {candidate.Asset.Name}: {candidate.Asset.State}, {candidate.Asset.Size} bytes (an unfinished upload)");
                continue;
            }
            var bytes = await DownloadAsync(candidate.Asset, cancellationToken);
            if (bytes is null)
                continue;
            if (!Convert.ToHexStringLower(SHA256.HashData(bytes)).StartsWith(candidate.Hash, StringComparison.Ordinal))
            {
                Log($"state: skipping {candidate.Asset.Name}: its bytes do not match the sha256 in its name");
                continue;
            }
            RunState? state;
            try
            {
                state = JsonSerializer.Deserialize<RunState>(bytes, Json.Options);
            }
            catch (JsonException error)
            {
                Log($"state: skipping {candidate.Asset.Name}: not valid JSON ({error.Message})");
                continue;
            }
            if (state is null || state.Format != RunState.CurrentFormat)
            {
                Log($"state: skipping {candidate.Asset.Name}: format '{state?.Format}' is not {RunState.CurrentFormat}");
                continue;
            }
            Log($"state: loaded {candidate.Asset.Name}");
            return state;
        }
        return null;
    }

    /// <summary>The asset's bytes, or null when they cannot be read whole (logged).</summary>
    private async Task<byte[]?> DownloadAsync(ReleaseAsset asset, CancellationToken cancellationToken)
    {
        try
        {
            return await calls.ReadAsync($"download {asset.Name}", async (_, ct) =>
            {
                if (asset.Size > 256 << 20)
                    throw new GitHubStoreException($"state asset {asset.Name}: {asset.Size} bytes is too large for a state");
                using var response = await transfers.OpenDownloadAsync(asset.Url, asset.Name, 0, ct);
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                if (bytes.Length != asset.Size)
                    throw new IOException($"asset {asset.Name}: received {bytes.Length} of {asset.Size} bytes");
                return bytes;
            }, cancellationToken);
        }
        catch (GitHubStoreException error) when (!cancellationToken.IsCancellationRequested)
        {
            Log($"state: skipping {asset.Name}: {error.Message}");
            return null;
        }
    }

    // ---- save ----

    public async Task SaveAsync(RunState state, CancellationToken cancellationToken)
    {
        var target = await ReleaseAsync(cancellationToken);
        var bytes = Encoding.UTF8.GetBytes(Json.Serialize(state));
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

        var before = await AssetsAsync(target, cancellationToken);
        await CheckLeaseAsync(before, cancellationToken);
        var newest = StateAssets(before).Select(s => s.Sequence).DefaultIfEmpty(0).Max();
        knownSequence ??= newest;
        if (newest > knownSequence)
            throw new StateLockedException($"another steelci tick saved state {newest} on {Tag} after this one read {knownSequence}; " +
                "this tick lost the race and stops without saving");
        var sequence = knownSequence.Value + 1;
        var name = string.Create(CultureInfo.InvariantCulture, $"state-{sequence:000000}-{RandomHex(4)}-{hash}.json");
        UploadedAsset mine;
        try
        {
            mine = await UploadAsync(target, name, bytes, cancellationToken);
        }
        catch (AssetExistsException)
        {
            throw new StateLockedException($"state asset {name} appeared on {Tag} while saving it; another writer is using this store");
        }

        var after = await AssetsAsync(target, cancellationToken);
        var rival = StateAssets(after).Where(s => s.Asset.Id != mine.Id && (s.Sequence > sequence || (s.Sequence == sequence && s.Asset.Id < mine.Id)))
            .OrderByDescending(s => s.Sequence).FirstOrDefault();
        if (rival is not null)
        {
            await DeleteAssetAsync(mine.Id, name, cancellationToken);
            throw new StateLockedException($"another steelci tick saved state {rival.Asset.Name} on {Tag} at the same time; " +
                "this tick lost the race and stops (its save was withdrawn)");
        }
        knownSequence = sequence;
        Log($"state: saved {name} ({bytes.Length} bytes)");
        await PruneAsync(StateAssets(after).Where(s => s.Asset.Id != mine.Id).ToList(), sequence, cancellationToken);
    }

    /// <summary>Keeps the newest <see cref="GitHubStateOptions.Keep"/> states (the one just saved among them) and deletes the
    /// rest, and any unfinished upload older than the one just saved.</summary>
    private async Task PruneAsync(IReadOnlyList<StateAsset> others, long saved, CancellationToken cancellationToken)
    {
        var ordered = others.OrderByDescending(s => s.Sequence).ThenByDescending(s => s.Asset.Id).ToList();
        var doomed = ordered.Skip(stateOptions.Keep - 1)
            .Concat(ordered.Where(s => s.Sequence < saved && s.Asset.State != "uploaded"))
            .DistinctBy(s => s.Asset.Id);
        foreach (var old in doomed)
            await DeleteAssetAsync(old.Asset.Id, old.Asset.Name, cancellationToken);
    }

    // ---- GitHub ----

    /// <summary>The state release: the draft with the tag that GitHub created first (created here when there is none).</summary>
    private async Task<Release> ReleaseAsync(CancellationToken cancellationToken)
    {
        if (release is not null)
            return release;
        var found = await FindReleaseAsync(cancellationToken);
        if (found is null)
        {
            await calls.WriteAsync($"create state release {Tag}", (_, _) => Releases.Create(options.Owner, options.Repository, new NewRelease(Tag)
            {
                Name = $"SteelCI state · {Tag["steelci-state-".Length..]}",
                Body = "SteelCI's durable pipeline state (state.json as `state-SEQUENCE-…json` assets; `lock-…json` is a tick's lease). " +
                       "Kept as a draft so it never becomes a release people see; do not publish or edit it. docs/scheduling.md.",
                Draft = true,
                Prerelease = true,
                MakeLatest = MakeLatestQualifier.False,
                TargetCommitish = options.TargetCommitish,
            }), cancellationToken);
            // Two first ticks may both have created one: everybody uses the one GitHub created first.
            found = await FindReleaseAsync(cancellationToken) ?? throw new GitHubStoreException($"state release {Tag} was created but cannot be found");
            Log($"state: created draft release {Tag} ({found.Id})");
        }
        return release = found;
    }

    private async Task<Release?> FindReleaseAsync(CancellationToken cancellationToken) =>
        (await calls.ReadAsync("list releases", (_, _) => Releases.GetAll(options.Owner, options.Repository, new ApiOptions { PageSize = 100 }), cancellationToken))
        .Where(r => r.TagName == Tag).MinBy(r => r.Id);

    private Task<IReadOnlyList<ReleaseAsset>> AssetsAsync(Release target, CancellationToken cancellationToken) =>
        calls.ReadAsync($"assets of {Tag}", (_, _) => Releases.GetAllAssets(options.Owner, options.Repository, target.Id, new ApiOptions { PageSize = 100 }), cancellationToken);

    /// <summary>Uploads a small asset under a new name; a retry first looks whether the earlier try got it there whole.</summary>
    private Task<UploadedAsset> UploadAsync(Release target, string name, byte[] bytes, CancellationToken cancellationToken) =>
        calls.WriteAsync($"upload {name} to {Tag}", async (attempt, ct) =>
        {
            if (attempt > 1)
            {
                var present = (await Releases.GetAllAssets(options.Owner, options.Repository, target.Id, new ApiOptions { PageSize = 100 }))
                    .Where(a => a.Name == name).ToList();
                if (present.FirstOrDefault(a => a.State == "uploaded" && a.Size == bytes.Length) is { } whole)
                    return new UploadedAsset(whole.Id, whole.Name, whole.State, whole.Size);
                foreach (var broken in present)
                    await Releases.DeleteAsset(options.Owner, options.Repository, broken.Id);
            }
            var result = await transfers.UploadAsync(target.UploadUrl, new IndexedPartSource(name, bytes.Length, () => new MemoryStream(bytes, writable: false)), ct);
            if (result.State != "uploaded" || result.Size != bytes.Length)
                throw new IOException($"asset {name} came back {result.State} with {result.Size} of {bytes.Length} bytes");
            return result;
        }, cancellationToken);

    private Task DeleteAssetAsync(int id, string name, CancellationToken cancellationToken) =>
        calls.WriteAsync($"delete asset {name}", async (_, _) =>
        {
            try
            {
                await Releases.DeleteAsset(options.Owner, options.Repository, id);
            }
            catch (NotFoundException)
            {
            }
        }, cancellationToken);

    // ---- names ----

    private string LeaseName(DateTimeOffset expires) =>
        string.Create(CultureInfo.InvariantCulture, $"lock-{expires.ToUnixTimeSeconds()}-{holder}.json");

    private static IEnumerable<LeaseAsset> Leases(IEnumerable<ReleaseAsset> assets) =>
        assets.Select(a => (Asset: a, Match: LeasePattern().Match(a.Name))).Where(x => x.Match.Success)
            .Select(x => new LeaseAsset(x.Asset, x.Match.Groups[2].Value,
                DateTimeOffset.FromUnixTimeSeconds(long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture))));

    private static IEnumerable<StateAsset> StateAssets(IEnumerable<ReleaseAsset> assets) =>
        assets.Select(a => (Asset: a, Match: StatePattern().Match(a.Name))).Where(x => x.Match.Success)
            .Select(x => new StateAsset(x.Asset, long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Match.Groups[2].Value));

    [GeneratedRegex(@"^lock-(\d{1,12})-([A-Za-z0-9._-]+)\.json$")]
    private static partial Regex LeasePattern();

    [GeneratedRegex(@"^state-(\d{1,15})-[0-9a-f]+-([0-9a-f]{16})\.json$")]
    private static partial Regex StatePattern();

    /// <summary>A default holder name (machine-pid-random) of this machine whose process no longer runs: a killed
    /// `steelci run` here need not block the next one until its lease expires (the local lock's behaviour).</summary>
    private static bool DiedOnThisMachine(string holder)
    {
        var match = Regex.Match(holder, @"^(.+)-(\d{1,9})-[0-9a-f]{6}$");
        if (!match.Success || match.Groups[1].Value != Sanitize(Environment.MachineName))
            return false;
        var pid = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (pid == Environment.ProcessId)
            return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string Sanitize(string text) => Regex.Replace(text, "[^A-Za-z0-9._-]", "_");

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private void Log(string line) => options.Log?.Invoke(line);

    private sealed record Lease(int AssetId, string Name, string Holder, DateTimeOffset Expires);

    private sealed record LeaseAsset(ReleaseAsset Asset, string Holder, DateTimeOffset Expires);

    private sealed record StateAsset(ReleaseAsset Asset, long Sequence, string Hash);

    private sealed class LeaseHandle(GitHubStateStore store, CancellationTokenSource stop, Task renewing) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await renewing;
            stop.Dispose();
            await store.ReleaseLeaseAsync();
        }
    }
}
