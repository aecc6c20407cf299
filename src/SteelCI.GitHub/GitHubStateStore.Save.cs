using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.GitHub;

/// <summary>Saving: a new asset per state, checked against the lease and newer writers; older states pruned.</summary>
public sealed partial class GitHubStateStore
{
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
}
