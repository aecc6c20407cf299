using System.Text.Json;
using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;

namespace SteelCI.Running;

/// <summary>
/// A pinned trainer bundle kept where the pipeline's releases and state are kept, so a fresh machine (every GitHub
/// Actions job) gets the pinned bundle back instead of a rebuild with another hash. One release per bundle, tagged
/// <c>steelci-trainer-bundle-{hash}</c> (the whole 64-digit hash: no stage tag <c>{pipeline}-{stage}-{key12}</c> can
/// take that form, so prune and the stage lookups never see it). Its files are the bundle's under <c>bundle/</c>
/// plus a manifest.json whose content key is the bundle hash. A stored bundle is used only when every file matches the
/// manifest (the store's own check) and the bundle hash recomputed from the fetched files, as the publisher computes it
/// (every file but steelci-bundle.json), is the pin; anything else is refused and reported naming the release and why.
/// </summary>
public sealed class StoredTrainerBundles(IArtifactStore store, TimeProvider time, string steelciVersion)
{
    /// <summary>The bundle's own description, written after hashing (TrainerPublisher); not part of the bundle hash.</summary>
    public const string InfoFile = "steelci-bundle.json";
    /// <summary>The folder of a stored bundle's release that holds the bundle's files.</summary>
    public const string Folder = "bundle";
    private const string TagPrefix = "steelci-trainer-bundle-";

    public static string Tag(string hash) => TagPrefix + hash;

    /// <summary>The bundle hash of a bundle folder, as <c>TrainerPublisher</c> computes it from the publish output.</summary>
    public static string HashOf(string bundleDirectory) => Sha256.OfDirectory(bundleDirectory, relative => relative != InfoFile);

    /// <summary>What <see cref="FetchAsync"/> found: the verified bundle folder, or why none can be used;
    /// <paramref name="Refused"/> when a stored copy exists but was refused (a new store of the bundle replaces it).</summary>
    public sealed record Fetched(string? Directory, string Problem, bool Refused);

    /// <summary>
    /// Stores <paramref name="bundle"/> once: nothing is uploaded when a release of its hash exists (unless
    /// <paramref name="replace"/>, after a stored copy was refused: that release is deleted and published anew). A bundle whose files do not hash to its hash is never
    /// stored. Returns a line saying what was done.
    /// </summary>
    public async Task<string> EnsureStoredAsync(string pipeline, TrainerBundle bundle, bool replace, CancellationToken cancellationToken)
    {
        var tag = Tag(bundle.Hash);
        if (!replace && await store.FindAsync(tag, cancellationToken) is not null)
            return $"The pinned trainer bundle {Twelve(bundle.Hash)} is stored as release {tag} in {store.Location}";
        var actual = HashOf(bundle.Directory);
        if (actual != bundle.Hash)
            return $"The trainer bundle in {bundle.Directory} hashes to {actual}, not {bundle.Hash}; it is not stored";
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(bundle.Directory))!, $".staging-store-{Guid.NewGuid():N}");
        try
        {
            Files.FolderCopy.CopyTree(bundle.Directory, Path.Combine(staging, Folder));
            var files = Sha256.FilesUnder(staging)
                .Select(f => new ManifestFile(f.Relative, Sha256.OfFile(f.Full), new FileInfo(f.Full).Length)).ToList();
            var manifest = new Manifest
            {
                Pipeline = pipeline, Stage = "trainer-bundle", Entry = $"{Folder}/{InfoFile}", Status = OutputStatus.Complete,
                ContentKey = bundle.Hash, Files = files, Progress = new Progress(0, 0),
                Lineage = new Lineage { TrainerHash = bundle.Hash, SteelciVersion = steelciVersion },
                Runtime = new RuntimeInfo("", "", "none", 0, Environment.OSVersion.Platform.ToString()),
                CreatedUtc = time.GetUtcNow(),
            };
            await File.WriteAllTextAsync(Path.Combine(staging, Manifest.FileName), Json.Serialize(manifest), cancellationToken);
            if (replace)
                await store.DeleteAsync(tag, cancellationToken); // the refused copy goes: a replace with the same manifest would keep its assets
            await store.PublishAsync(tag, staging, replace: false, cancellationToken);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
        return $"Stored the pinned trainer bundle {Twelve(bundle.Hash)} as release {tag} in {store.Location}, for runners that do not keep it";
    }

    /// <summary>
    /// The stored bundle of <paramref name="hash"/>, verified: a release the store finds verified (a damaged one is set
    /// aside by the store and reported through <paramref name="report"/>), fetched with every file checked against its
    /// manifest, whose steelci-bundle.json names the hash and whose files hash to it.
    /// </summary>
    public async Task<Fetched> FetchAsync(string hash, Action<string> report, CancellationToken cancellationToken)
    {
        var tag = Tag(hash);
        string? setAside = null;
        var release = await store.FindVerifiedAsync(tag, line => report(setAside = $"stored trainer bundle refused: {line}"), cancellationToken);
        if (release is null)
            return new Fetched(null, setAside ?? $"{store.Location} has no release {tag}", setAside is not null);
        string folder;
        try
        {
            folder = await store.FetchAsync(release, cancellationToken);
        }
        catch (Exception error) when (error is InvalidDataException or IReleaseDamage)
        {
            return Refused(report, $"release {tag} does not match its manifest ({error.Message})");
        }
        var bundle = Path.Combine(folder, Folder);
        var info = Path.Combine(bundle, InfoFile);
        if (!File.Exists(info))
            return Refused(report, $"release {tag} has no {Folder}/{InfoFile}");
        var named = InfoHash(info);
        if (named != hash)
            return Refused(report, $"release {tag}: {Folder}/{InfoFile} names bundle hash {named ?? "(none)"}, not {hash}");
        var actual = HashOf(bundle);
        if (actual != hash)
            return Refused(report, $"release {tag}: the files under {Folder}/ hash to {actual}, not {hash}");
        return new Fetched(bundle, "", false);
    }

    private static Fetched Refused(Action<string> report, string problem)
    {
        report($"stored trainer bundle refused: {problem}");
        return new Fetched(null, problem, true);
    }

    private static string? InfoHash(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.TryGetProperty("hash", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Twelve(string hash) => hash[..Math.Min(12, hash.Length)];
}
