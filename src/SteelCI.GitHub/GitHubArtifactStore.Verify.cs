using System.Security.Cryptography;
using Octokit;
using SteelCI.Contracts;
using SteelCI.Ports;

namespace SteelCI.GitHub;

public sealed partial class GitHubArtifactStore
{
    /// <summary>
    /// The release if its assets match its asset index: the manifest's sha256 as the index records it, every part asset
    /// present, uploaded and of the size the index says. Bytes are not downloaded here (a fetch checks each part's
    /// sha256); a release that fails this check is set aside by renaming its tag to <c>aside-{tag}-{stamp}</c> (kept,
    /// never listed under the pipeline's prefix), so the stage publishes the tag anew.
    /// </summary>
    public async Task<StoredRelease?> FindVerifiedAsync(string tag, Action<string> setAside, CancellationToken cancellationToken)
    {
        var published = await PublishedAsync(tag, cancellationToken);
        if (published is null)
            return null;
        var assets = (await AssetsAsync(published, cancellationToken)).Where(a => a.State == "uploaded")
            .ToDictionary(a => a.Name, StringComparer.Ordinal);
        var problem = await ProblemAsync(published, assets, cancellationToken);
        if (problem is null)
            return await StoredAsync(published, cancellationToken);
        var aside = $"aside-{tag}-{time.GetUtcNow():yyyyMMdd-HHmmss}";
        await calls.WriteAsync($"set aside {tag}", (_, _) => Releases.Edit(Owner, Repo, published.Id, new ReleaseUpdate { TagName = aside }),
            cancellationToken);
        setAside($"release {tag} does not verify ({problem}); set aside as {Location} tag {aside}, the stage runs again");
        return null;
    }

    private async Task<string?> ProblemAsync(Release release, IReadOnlyDictionary<string, ReleaseAsset> assets, CancellationToken cancellationToken)
    {
        if (!assets.TryGetValue(Manifest.FileName, out var manifestAsset))
            return $"no {Manifest.FileName} asset";
        if (!assets.TryGetValue(AssetIndex.FileName, out var indexAsset))
            return $"no {AssetIndex.FileName} asset";
        AssetIndex index;
        byte[] indexBytes, manifestBytes;
        try
        {
            indexBytes = await SmallAssetAsync(indexAsset, cancellationToken);
            index = AssetIndex.Parse(indexBytes, AssetIndex.FileName);
            manifestBytes = await SmallAssetAsync(manifestAsset, cancellationToken);
        }
        catch (InvalidDataException error)
        {
            return error.Message;
        }
        if (IndexHashOf(release) is { } recorded && recorded != Convert.ToHexStringLower(SHA256.HashData(indexBytes)))
            return $"{AssetIndex.FileName} does not match the index hash in the release notes";
        var manifestHash = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
        if (manifestHash != index.ManifestSha256)
            return $"{Manifest.FileName} has sha256 {manifestHash}, the asset index says {index.ManifestSha256}";
        foreach (var part in index.Files.SelectMany(f => f.Parts))
        {
            if (!assets.TryGetValue(part.Asset, out var asset))
                return $"asset {part.Asset} is missing";
            if (asset.Size != part.Bytes)
                return $"asset {part.Asset} holds {asset.Size} bytes, the index says {part.Bytes}";
        }
        return null;
    }
}
