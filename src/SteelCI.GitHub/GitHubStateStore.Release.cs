using Octokit;

namespace SteelCI.GitHub;

/// <summary>The state release on GitHub: finding or creating the draft, listing, uploading and deleting its assets.</summary>
public sealed partial class GitHubStateStore
{
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
}
