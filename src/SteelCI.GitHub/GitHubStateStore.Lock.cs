using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Octokit;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.GitHub;

/// <summary>The lease: take it, renew it, check that it still wins, give it back.</summary>
public sealed partial class GitHubStateStore
{
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
