using System.Security.Cryptography;
using System.Text.Json;
using Octokit;
using SteelCI.Contracts;
using SteelCI.State;

namespace SteelCI.GitHub;

/// <summary>Loading: the newest state asset that is whole, hashes to its name and parses.</summary>
public sealed partial class GitHubStateStore
{
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
            return await calls.ReadAsync($"download {asset.Name}",
                (_, ct) => transfers.ReadWholeAsync(asset, 256 << 20, $"state asset {asset.Name}", "a state", ct), cancellationToken);
        }
        catch (GitHubStoreException error) when (!cancellationToken.IsCancellationRequested)
        {
            Log($"state: skipping {asset.Name}: {error.Message}");
            return null;
        }
    }
}
