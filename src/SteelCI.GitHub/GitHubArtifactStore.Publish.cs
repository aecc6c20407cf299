using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Octokit;
using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;

namespace SteelCI.GitHub;

public sealed partial class GitHubArtifactStore
{
    /// <summary>
    /// Publishes a verified output folder. Idempotent and crash-safe: a published release with the tag is returned as it
    /// is (unless <paramref name="replace"/>); a SteelCI draft for the same index is completed (assets already uploaded
    /// whole are kept, short or unfinished ones replaced); other drafts of the tag are deleted; the draft is published
    /// only when every asset is present in full. The output's files are not hashed again: each asset is uploaded through a
    /// <see cref="VerifyingStream"/> that stops the upload short when its bytes are not the verified ones.
    /// </summary>
    public async Task<StoredRelease> PublishAsync(string tag, VerifiedOutput output, bool replace, CancellationToken cancellationToken)
    {
        var (directory, manifest, manifestBytes) = (output.Directory, output.Manifest, output.ManifestBytes.ToArray());
        var index = AssetIndex.Plan(directory, manifest, manifestBytes, options.PartSize, PackDirectory, options.PackLevel);
        if (index.Archives is { Count: > 0 } packed)
            Log($"{directory}: {index.Files.Count(f => f.Archive is not null)} files packed into {packed[0].Path} ({packed[0].Bytes} bytes), as one asset per file would pass GitHub's {AssetIndex.MaxAssets} per release");
        var indexBytes = index.ToBytes();
        var indexHash = Convert.ToHexStringLower(SHA256.HashData(indexBytes));

        var existing = await PublishedAsync(tag, cancellationToken);
        if (existing is not null && (!replace || IndexHashOf(existing) == indexHash))
        {
            Log($"release {tag} exists; nothing to publish");
            return await StoredAsync(existing, cancellationToken)
                ?? throw new GitHubStoreException($"release {tag} exists but has no {Manifest.FileName}; delete it on GitHub or publish with replace");
        }

        var draft = await DraftForAsync(tag, manifest, indexHash, cancellationToken);
        // Another publisher of the same output may share the draft and replace an asset under us: check, go round again.
        for (var round = 1; !await UploadAllAsync(draft, directory, index, indexBytes, manifestBytes, cancellationToken); round++)
            if (round == 3)
                throw new GitHubStoreException($"draft {draft.Id} of {tag}: assets keep going missing or incomplete after upload; is another publisher deleting them? Publish again");

        if (existing is not null)
        {
            // GitHub cannot swap a release atomically: the old one goes just before the new one is published.
            Log($"replacing release {tag} ({existing.Id})");
            await DeleteReleaseAsync(existing, cancellationToken);
        }
        var published = await PublishDraftAsync(draft, tag, cancellationToken);
        if (index.Archives is { Count: > 0 })
            File.Delete(AssetIndex.PackPath(PackDirectory, index.ManifestSha256)); // the published assets hold it now
        return await StoredAsync(published, cancellationToken)
            ?? throw new GitHubStoreException($"release {tag} was published but its {Manifest.FileName} cannot be read back");
    }

    /// <summary>The draft to complete: the oldest SteelCI draft of this tag for the same index; every other draft of the tag goes.</summary>
    private async Task<Release> DraftForAsync(string tag, Manifest manifest, string indexHash, CancellationToken cancellationToken)
    {
        var drafts = (await AllReleasesAsync(cancellationToken)).Where(r => r.Draft && r.TagName == tag).OrderBy(r => r.Id).ToList();
        var reuse = drafts.FirstOrDefault(d => IndexHashOf(d) == indexHash);
        foreach (var other in drafts.Where(d => d != reuse))
        {
            Log($"deleting draft {other.Id} of {tag} left by an earlier attempt");
            await DeleteReleaseAsync(other, cancellationToken);
        }
        if (reuse is not null)
        {
            Log($"completing draft {reuse.Id} of {tag}");
            return reuse;
        }
        var created = await calls.WriteAsync($"create draft {tag}", (_, _) => Releases.Create(Owner, Repo, new NewRelease(tag)
        {
            Name = $"{manifest.Stage} · {tag}",
            Body = Describe(tag, manifest, indexHash),
            Draft = true,
            Prerelease = true,
            MakeLatest = MakeLatestQualifier.False,
            TargetCommitish = options.TargetCommitish,
        }), cancellationToken);
        Log($"created draft {created.Id} of {tag}");
        return created;
    }

    /// <summary>Uploads what is missing; true when every asset is then present, whole.</summary>
    private async Task<bool> UploadAllAsync(Release draft, string directory, AssetIndex index, byte[] indexBytes, byte[] manifestBytes, CancellationToken cancellationToken)
    {
        var packPath = AssetIndex.PackPath(PackDirectory, index.ManifestSha256);
        var sources = index.Files.SelectMany(f => f.Parts.Select(p =>
                new IndexedPartSource(p.Asset, p.Bytes, () => Verifying(Path.Combine(directory, f.Path), p))))
            .Concat((index.Archives ?? []).SelectMany(a => a.Parts.Select(p =>
                new IndexedPartSource(p.Asset, p.Bytes, () => Verifying(packPath, p)))))
            .Append(new IndexedPartSource(AssetIndex.FileName, indexBytes.Length, () => new MemoryStream(indexBytes, writable: false)))
            .Append(new IndexedPartSource(Manifest.FileName, manifestBytes.Length, () => new MemoryStream(manifestBytes, writable: false)))
            .ToList();
        var assets = (await AssetsAsync(draft, cancellationToken)).ToList();
        foreach (var stray in assets.Where(a => sources.All(s => s.Asset != a.Name)))
        {
            Log($"deleting stray asset {stray.Name} of draft {draft.Id}");
            await DeleteAssetAsync(stray, cancellationToken);
        }
        var uploaded = 0;
        foreach (var source in sources)
        {
            var present = assets.Where(a => a.Name == source.Asset).ToList();
            if (await KeepGoodAsync(present, source, bad => DeleteAssetAsync(bad, cancellationToken)))
                continue;
            await calls.WriteAsync($"upload {source.Asset} to {draft.TagName}", async (attempt, ct) =>
            {
                if (attempt > 1)
                {
                    var now = (await Releases.GetAllAssets(Owner, Repo, draft.Id, new ApiOptions { PageSize = 100 })).Where(a => a.Name == source.Asset).ToList();
                    if (await KeepGoodAsync(now, source, bad => Releases.DeleteAsset(Owner, Repo, bad.Id)))
                        return;
                }
                UploadedAsset result;
                try
                {
                    result = await transfers.UploadAsync(draft.UploadUrl, source, ct);
                }
                catch (AssetExistsException)
                {
                    throw new IOException($"asset {source.Asset} appeared while uploading it; checking it again");
                }
                if (result.State != "uploaded" || result.Size != source.Bytes)
                    throw new IOException($"asset {source.Asset} came back {result.State} with {result.Size} of {source.Bytes} bytes");
            }, cancellationToken);
            uploaded++;
            Log($"uploaded {source.Asset} ({source.Bytes} bytes)");
        }

        var final = await AssetsAsync(draft, cancellationToken);
        foreach (var source in sources)
            if (!final.Any(a => a.Name == source.Asset && a.State == "uploaded" && a.Size == source.Bytes))
            {
                Log($"draft {draft.Id} of {draft.TagName}: asset {source.Asset} is missing or incomplete after upload; going round again");
                return false;
            }
        Log($"draft {draft.Id} of {draft.TagName} complete ({uploaded} uploaded, {sources.Count - uploaded} kept)");
        return true;
    }

    private static VerifyingStream Verifying(string path, IndexedPart part) =>
        new(new SliceStream(path, part.Offset, part.Bytes), part.Bytes, part.Sha256, $"{path} (asset {part.Asset})");

    /// <summary>True when one of the same-named assets is whole; every asset that is not (a failed upload's
    /// <c>starter</c> asset, a short one) is deleted so the name is free again.</summary>
    private async Task<bool> KeepGoodAsync(IReadOnlyList<ReleaseAsset> present, IndexedPartSource source, Func<ReleaseAsset, Task> delete)
    {
        var good = present.FirstOrDefault(a => a.State == "uploaded" && a.Size == source.Bytes);
        foreach (var bad in present.Where(a => a != good))
        {
            Log($"replacing asset {bad.Name}: state {bad.State}, {bad.Size} of {source.Bytes} bytes");
            await delete(bad);
        }
        return good is not null;
    }

    private async Task<Release> PublishDraftAsync(Release draft, string tag, CancellationToken cancellationToken)
    {
        try
        {
            return await calls.WriteAsync($"publish {tag}", (_, _) => Releases.Edit(Owner, Repo, draft.Id, new ReleaseUpdate
            {
                TagName = tag,
                Draft = false,
                Prerelease = true,
                MakeLatest = MakeLatestQualifier.False,
            }), cancellationToken);
        }
        catch (ApiValidationException error) when (error.ApiError?.Errors?.Any(e => e.Code == "already_exists") == true)
        {
            // Another publisher of the same output won the race: theirs stands, ours goes.
            var winner = await PublishedAsync(tag, cancellationToken)
                ?? throw new GitHubStoreException($"publish {tag}: GitHub says the tag is taken, but no release has it. A deleted immutable release may have burned the tag.", error);
            Log($"release {tag} was published concurrently; deleting draft {draft.Id}");
            await DeleteReleaseAsync(draft, cancellationToken);
            return winner;
        }
    }

    /// <summary>The release notes: lineage a person can read, and the marker that ties a draft to its asset index.</summary>
    private static string Describe(string tag, Manifest manifest, string indexHash)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"SteelCI checkpoint of stage **{manifest.Stage}** (pipeline {manifest.Pipeline}): {manifest.Status.ToString().ToLowerInvariant()}, {manifest.Progress.EpochsDone}/{manifest.Progress.EpochsTotal} epochs.");
        text.AppendLine();
        text.AppendLine(c, $"- content key: `{manifest.ContentKey}`");
        text.AppendLine(c, $"- trainer: `{manifest.Lineage.TrainerHash}`, SteelCI {manifest.Lineage.SteelciVersion}");
        if (manifest.Lineage.SourceCommit is { } commit)
            text.AppendLine(c, $"- source commit: `{commit}`");
        if (manifest.Lineage.ResumedFrom is { } resumed)
            text.AppendLine(c, $"- resumed from: `{resumed}`");
        foreach (var input in manifest.Lineage.Inputs)
            text.AppendLine(c, $"- input {input.Name}: `{input.Source}` (key `{input.ContentKey}`)");
        foreach (var (name, value) in manifest.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            text.AppendLine(c, $"- {name}: {value:G6}");
        text.AppendLine(c, $"- runtime: TorchSharp {manifest.Runtime.TorchSharp}, libtorch {manifest.Runtime.LibTorch}, {manifest.Runtime.Device}");
        text.AppendLine();
        text.AppendLine(c, $"Download with `steelci download {tag} --output DIR` (verifies every sha256 in manifest.json).");
        text.AppendLine();
        text.AppendLine(c, $"<!-- {IndexMarker} {indexHash} -->");
        return text.ToString();
    }
}
