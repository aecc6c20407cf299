namespace SteelCI.GitHub;

/// <summary>Files shown beside the state (issue 14 item 6: the Gantt chart), as assets of the state release.</summary>
public sealed partial class GitHubStateStore
{
    /// <summary>
    /// Replaces the state release's asset <paramref name="name"/> (a name no state or lease asset can have) with
    /// <paramref name="bytes"/>: the old one is deleted first (a release cannot hold two assets of one name), so a
    /// reader in between finds none. Returns the new asset's browser URL (the release is a draft: people with write
    /// access to the repository can open it).
    /// </summary>
    public async Task<string> ReplaceSideAssetAsync(string name, byte[] bytes, CancellationToken cancellationToken)
    {
        if (LeasePattern().IsMatch(name) || StatePattern().IsMatch(name))
            throw new ArgumentException($"{name} is a state or lease asset's name", nameof(name));
        var target = await ReleaseAsync(cancellationToken);
        foreach (var old in (await AssetsAsync(target, cancellationToken)).Where(a => a.Name == name))
            await DeleteAssetAsync(old.Id, old.Name, cancellationToken);
        await UploadAsync(target, name, bytes, cancellationToken);
        var uploaded = (await AssetsAsync(target, cancellationToken)).FirstOrDefault(a => a.Name == name)
            ?? throw new GitHubStoreException($"asset {name} of {Tag} was uploaded but cannot be found");
        return uploaded.BrowserDownloadUrl;
    }
}
