using System.Net;
using System.Security.Cryptography;
using Octokit;
using SteelCI.Archives;
using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;

namespace SteelCI.GitHub;

public sealed partial class GitHubArtifactStore
{
    private const string PartialPrefix = ".partial-";
    private const string DownloadSuffix = ".download";
    private const string StagingOwner = ".steelci-fetch";
    private const string ArchiveFolder = ".steelci-archives";

    /// <summary>
    /// Downloads the release into {cache}/{tag}, verified against its manifest. An interrupted download resumes from
    /// {cache}/.partial-{tag}; the folder {cache}/{tag} appears only once every file matched its sha256.
    /// </summary>
    public async Task<string> FetchAsync(StoredRelease release, CancellationToken cancellationToken)
    {
        var target = Path.Combine(options.CacheDirectory, release.Tag);
        if (Directory.Exists(target))
        {
            try
            {
                ManifestVerifier.Verify(target, release.Manifest.ContentKey);
                return target;
            }
            catch (InvalidDataException error)
            {
                Log($"cached {target} is damaged ({error.Message}); downloading again");
                Directory.Delete(target, recursive: true);
            }
        }
        return await FetchIntoAsync(release, target, cancellationToken);
    }

    public async Task<string> FetchIntoAsync(StoredRelease release, string directory, CancellationToken cancellationToken)
    {
        directory = Path.GetFullPath(directory);
        if (Directory.Exists(directory))
            throw new GitHubStoreException($"{directory} exists already; choose a new folder for the download");
        var parent = Path.GetDirectoryName(directory)!;
        var staging = Path.Combine(parent, PartialPrefix + Path.GetFileName(directory));
        Directory.CreateDirectory(staging);

        var published = await PublishedAsync(release.Tag, cancellationToken)
            ?? throw new GitHubStoreException($"release {release.Tag} is not published (deleted, or still a draft)");
        var assets = (await AssetsAsync(published, cancellationToken)).ToDictionary(a => a.Name, StringComparer.Ordinal);
        ReleaseAsset Asset(string name) => assets.TryGetValue(name, out var a) && a.State == "uploaded"
            ? a
            : throw new GitHubStoreException($"release {release.Tag}: asset {name} is missing or incomplete; publish the stage again");

        var manifestBytes = await SmallAssetAsync(Asset(Manifest.FileName), cancellationToken);
        var indexBytes = await SmallAssetAsync(Asset(AssetIndex.FileName), cancellationToken);
        var index = AssetIndex.Parse(indexBytes, $"release {release.Tag}: {AssetIndex.FileName}");
        var manifestHash = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
        if (index.ManifestSha256 != manifestHash)
            throw new ChecksumMismatchException($"release {release.Tag}: {Manifest.FileName} has sha256 {manifestHash}, its asset index expects {index.ManifestSha256}");
        // A staging folder left by a download of other content is no base for a resume.
        var owner = Path.Combine(staging, StagingOwner);
        var stamp = $"{release.Tag} {manifestHash}";
        if (File.Exists(owner) ? await File.ReadAllTextAsync(owner, cancellationToken) != stamp : Directory.EnumerateFileSystemEntries(staging).Any())
        {
            Directory.Delete(staging, recursive: true);
            Directory.CreateDirectory(staging);
        }
        await File.WriteAllTextAsync(owner, stamp, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(staging, Manifest.FileName), manifestBytes, cancellationToken);
        var manifest = Json.Read<Manifest>(Path.Combine(staging, Manifest.FileName));
        if (manifest.ContentKey != release.Manifest.ContentKey)
            throw new ChecksumMismatchException($"release {release.Tag}: its manifest has content key {manifest.ContentKey}, expected {release.Manifest.ContentKey}");
        foreach (var file in manifest.Files)
            if (!index.Files.Any(f => f.Path == file.Path && f.Sha256 == file.Sha256 && f.Bytes == file.Bytes
                    && (f.Archive is not null || f.Parts.Sum(p => p.Bytes) == file.Bytes)))
                throw new ChecksumMismatchException($"release {release.Tag}: {file.Path} in the manifest and in the asset index disagree");

        foreach (var file in index.Files.Where(f => f.Archive is null))
            await DownloadFileAsync(release.Tag, staging, file, part => Asset(part.Asset), cancellationToken);
        foreach (var archive in index.Archives ?? [])
            await UnpackArchiveAsync(release.Tag, staging, archive, index.Files.Where(f => f.Archive == archive.Path).ToList(),
                part => Asset(part.Asset), cancellationToken);

        try
        {
            ManifestVerifier.Verify(staging, release.Manifest.ContentKey);
        }
        catch (InvalidDataException error)
        {
            Directory.Delete(staging, recursive: true); // nothing in it can be trusted for a resume
            throw new ChecksumMismatchException($"release {release.Tag}: {error.Message}");
        }
        File.Delete(owner);
        Directory.Move(staging, directory);
        Log($"fetched {release.Tag} into {directory}");
        return directory;
    }

    /// <summary>
    /// The files packed in one archive asset: the archive is downloaded like any file (resumed, every part and the whole
    /// checked against the index), unpacked by <see cref="SafeUnpacker"/> into a scratch folder, and each member is
    /// checked against the manifest's size and sha256 before it moves into place. Members already in place and matching
    /// are not fetched again; anything else in the staging folder is never trusted: a refused archive or a member that
    /// does not match discards the staging folder.
    /// </summary>
    private async Task UnpackArchiveAsync(string tag, string staging, IndexedFile archive, IReadOnlyList<IndexedFile> members,
        Func<IndexedPart, ReleaseAsset> assetOf, CancellationToken cancellationToken)
    {
        if (members.All(m => File.Exists(Path.Combine(staging, m.Path)) && Sha256.OfFile(Path.Combine(staging, m.Path)) == m.Sha256))
            return; // unpacked and checked by an earlier run
        var local = archive with { Path = $"{ArchiveFolder}/{archive.Path}" };
        await DownloadFileAsync(tag, staging, local, assetOf, cancellationToken);
        var scratch = Path.Combine(staging, ArchiveFolder, "unpacked");
        if (Directory.Exists(scratch))
            Directory.Delete(scratch, recursive: true);
        void Discard(Exception error)
        {
            Directory.Delete(staging, recursive: true);
            throw error;
        }
        IReadOnlyList<string> written = [];
        try
        {
            written = SafeUnpacker.Unpack(Path.Combine(staging, local.Path), scratch, $"release {tag}: asset {archive.Path}");
        }
        catch (UnsafeArchiveException error)
        {
            Discard(new GitHubStoreException($"{error.Message}; the release is damaged, publish the stage again", error));
        }
        var expected = members.ToDictionary(m => m.Path, StringComparer.Ordinal);
        if (written.FirstOrDefault(w => !expected.ContainsKey(w)) is { } stray)
            Discard(new ChecksumMismatchException($"release {tag}: asset {archive.Path} holds {stray}, which the manifest does not list"));
        foreach (var member in members)
        {
            var unpacked = Path.Combine(scratch, member.Path);
            if (!File.Exists(unpacked))
                Discard(new ChecksumMismatchException($"release {tag}: asset {archive.Path} lacks {member.Path}, which the manifest lists"));
            var hash = Sha256.OfFile(unpacked);
            if (hash != member.Sha256 || new FileInfo(unpacked).Length != member.Bytes)
                Discard(new ChecksumMismatchException($"release {tag}: {member.Path} from asset {archive.Path} has sha256 {hash}, the manifest says {member.Sha256}"));
            var final = Path.Combine(staging, member.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(unpacked, final, overwrite: true);
        }
        Directory.Delete(Path.Combine(staging, ArchiveFolder), recursive: true);
        Log($"unpacked {members.Count} files from {archive.Path}, each matching the manifest");
    }

    /// <summary>One file, part after part, appended to FILE.download and renamed when its sha256 matches. A rerun resumes
    /// at the length already on disk with a Range request, re-hashing only the part it resumes in.</summary>
    private async Task DownloadFileAsync(string tag, string staging, IndexedFile file, Func<IndexedPart, ReleaseAsset> assetOf, CancellationToken cancellationToken)
    {
        var final = Path.Combine(staging, file.Path);
        if (File.Exists(final) && new FileInfo(final).Length == file.Bytes)
            return; // finished and checked by an earlier run (only whole, matching files are renamed)
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        var partial = final + DownloadSuffix;
        var allHashed = true;
        foreach (var part in file.Parts)
        {
            var asset = assetOf(part);
            if (asset.Size != part.Bytes)
                throw new ChecksumMismatchException($"release {tag}: asset {part.Asset} holds {asset.Size} bytes, the index says {part.Bytes}");
            allHashed &= await calls.ReadAsync($"download {part.Asset}", (_, ct) => DownloadPartAsync(tag, partial, part, asset, ct), cancellationToken);
        }
        if (file.Parts.Count > 1 || !allHashed)
        {
            var whole = Sha256.OfFile(partial);
            if (whole != file.Sha256)
            {
                File.Delete(partial);
                throw new ChecksumMismatchException($"release {tag}: {file.Path} from {file.Parts.Count} part(s) has sha256 {whole}, the manifest says {file.Sha256}");
            }
        }
        File.Move(partial, final, overwrite: true);
    }

    private async Task<bool> DownloadPartAsync(string tag, string partial, IndexedPart part, ReleaseAsset asset, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(partial, System.IO.FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        var end = part.Offset + part.Bytes;
        if (output.Length >= end)
            return false; // on disk from an earlier run, not hashed now: the caller hashes the whole file
        if (output.Length < part.Offset)
            throw new IOException($"{partial}: {output.Length} bytes on disk, part {part.Asset} starts at {part.Offset}");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var have = output.Length - part.Offset;
        output.Position = part.Offset;
        for (var left = have; left > 0;)
        {
            var read = await output.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        using (var response = await transfers.OpenDownloadAsync(asset.Url, part.Asset, have, cancellationToken))
        {
            if (have > 0 && response.StatusCode == HttpStatusCode.OK)
            {
                // The server ignored the range: start the part over.
                output.SetLength(part.Offset);
                hash.GetHashAndReset();
                have = 0;
            }
            output.Position = part.Offset + have;
            if (have > 0)
                Log($"resuming {part.Asset} at byte {have} of {part.Bytes}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            int n;
            while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (have + n > part.Bytes)
                    throw new ChecksumMismatchException($"release {tag}: asset {part.Asset} sends more than the {part.Bytes} bytes the index says");
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                hash.AppendData(buffer, 0, n);
                have += n;
            }
        }
        await output.FlushAsync(cancellationToken);
        if (have < part.Bytes)
            throw new IOException($"asset {part.Asset}: the transfer ended after {have} of {part.Bytes} bytes");
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != part.Sha256)
        {
            output.SetLength(part.Offset);
            throw new ChecksumMismatchException($"release {tag}: asset {part.Asset} has sha256 {actual}, the manifest's index says {part.Sha256}");
        }
        return true;
    }
}
