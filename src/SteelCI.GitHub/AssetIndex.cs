using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SteelCI.Contracts;
using SteelCI.Hashing;

namespace SteelCI.GitHub;

/// <summary>
/// steelci-assets.json: which release assets hold which manifest file. A file larger than the part size is split into
/// consecutive parts <c>NAME.part001</c>, … each with its own sha256; the file's own sha256 stays in the manifest.
/// Asset names use only [A-Za-z0-9._-] (GitHub renames anything else). Format "steelci.assets/1": one asset (or a run
/// of parts) per file. Format "steelci.assets/2", only where one asset per file would pass GitHub's 1000 assets per
/// release: the files small enough for one asset go into one zip, <see cref="PackedAsset"/> (itself split into parts
/// when large); their entries name that archive in <see cref="IndexedFile.Archive"/> and have no parts.
/// </summary>
public sealed record AssetIndex(string Format, string ManifestSha256, long PartSize, IReadOnlyList<IndexedFile> Files)
{
    public const string FileName = "steelci-assets.json";
    public const string CurrentFormat = "steelci.assets/1";
    public const string PackedFormat = "steelci.assets/2";
    public const string PackedAsset = "steelci-files.zip";

    /// <summary>The zips that hold packed files, as files of their own (name, sha256, bytes, parts); null in format 1.</summary>
    public IReadOnlyList<IndexedFile>? Archives { get; init; }

    /// <summary>Every asset the release must hold, data first, then this index, then the manifest (the last word).</summary>
    public IEnumerable<string> AssetNames => Files.Concat(Archives ?? []).SelectMany(f => f.Parts).Select(p => p.Asset).Append(FileName).Append(Manifest.FileName);

    /// <summary>Where the publisher keeps the zip it built for a manifest (deterministic bytes, so a rebuild matches).</summary>
    public static string PackPath(string packDirectory, string manifestSha256) => Path.Combine(packDirectory, manifestSha256 + ".zip");

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Json.Serialize(this));

    public static AssetIndex Parse(byte[] bytes, string source)
    {
        try
        {
            var index = JsonSerializer.Deserialize<AssetIndex>(bytes, Json.Options) ?? throw new InvalidDataException($"{source}: empty");
            if (index.Format is not (CurrentFormat or PackedFormat))
                throw new InvalidDataException($"{source}: format '{index.Format}' is not supported (this SteelCI reads {CurrentFormat} and {PackedFormat})");
            foreach (var file in index.Files.Where(f => f.Archive is not null))
                if ((index.Archives ?? []).All(a => a.Path != file.Archive))
                    throw new InvalidDataException($"{source}: {file.Path} is in archive {file.Archive}, which the index does not list");
            return index;
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{source}: not a valid asset index ({error.Message})", error);
        }
    }

    /// <summary>
    /// Plans the assets of a verified output folder. Hashes only the parts of split files (the manifest has the rest).
    /// Where one asset per file would pass <see cref="MaxAssets"/>, packs every single-asset file into one zip at
    /// <see cref="PackPath"/> under <paramref name="packDirectory"/> (deflate level <paramref name="packLevel"/>).
    /// </summary>
    public static AssetIndex Plan(string directory, Manifest manifest, byte[] manifestBytes, long partSize, string? packDirectory = null,
        int packLevel = 0)
    {
        if (partSize < 1)
            throw new ArgumentOutOfRangeException(nameof(partSize));
        var manifestSha = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
        var plain = new AssetIndex(CurrentFormat, manifestSha, partSize, PlanFiles(directory, manifest.Files, partSize, []));
        var needed = plain.AssetNames.Count();
        if (needed <= MaxAssets)
            return plain;
        var small = manifest.Files.Where(f => f.Bytes <= partSize).ToList();
        if (packDirectory is null || small.Count < 2)
            throw new GitHubStoreException($"{directory}: {needed} release assets needed, GitHub allows {MaxAssets} per release. Raise the part size.");

        var zip = PackPath(packDirectory, manifestSha);
        var bytes = SteelCI.Archives.ZipPacker.Pack(directory, zip, packLevel, small.Select(f => f.Path));
        var archive = PlanFiles(packDirectory, [new ManifestFile(Path.GetFileName(zip), Hashing.Sha256.OfFile(zip), bytes)], partSize, [])[0];
        archive = archive with
        {
            Path = PackedAsset,
            Parts = archive.Parts.Select(p => p with { Asset = p.Asset.Replace(Path.GetFileName(zip), PackedAsset, StringComparison.Ordinal) }).ToList(),
        };
        var large = PlanFiles(directory, manifest.Files.Where(f => f.Bytes > partSize).ToList(), partSize, archive.Parts.Select(p => p.Asset));
        var packed = small.Select(f => new IndexedFile(f.Path, f.Sha256, f.Bytes, []) { Archive = PackedAsset });
        var index = new AssetIndex(PackedFormat, manifestSha, partSize, large.Concat(packed).ToList()) { Archives = [archive] };
        var assets = index.AssetNames.Count();
        if (assets > MaxAssets)
            throw new GitHubStoreException($"{directory}: {assets} release assets needed even with the small files packed, GitHub allows {MaxAssets} per release. Raise the part size.");
        return index;
    }

    private static List<IndexedFile> PlanFiles(string directory, IReadOnlyList<ManifestFile> manifestFiles, long partSize, IEnumerable<string> taken)
    {
        var used = new HashSet<string>(taken, StringComparer.OrdinalIgnoreCase) { FileName, Manifest.FileName };
        var files = new List<IndexedFile>();
        for (var i = 0; i < manifestFiles.Count; i++)
        {
            var file = manifestFiles[i];
            var name = SafeName(file.Path);
            var count = Math.Max(1, (int)((file.Bytes + partSize - 1) / partSize));
            string PartName(string stem, int n) => count == 1 ? stem : $"{stem}.part{n:000}";
            if (Enumerable.Range(1, count).Any(n => used.Contains(PartName(name, n))))
                name = $"{i:000}-{name}";
            var parts = new List<IndexedPart>();
            // A split file's parts are hashed here (the manifest has only the whole); read through a verifying stream,
            // so that pass also checks the whole file is still the verified one.
            using var whole = count == 1 ? null : new VerifyingStream(new SliceStream(Path.Combine(directory, file.Path), 0, file.Bytes),
                file.Bytes, file.Sha256, Path.Combine(directory, file.Path));
            for (var n = 1; n <= count; n++)
            {
                var offset = (n - 1) * partSize;
                var length = Math.Min(partSize, file.Bytes - offset);
                var hash = whole is null ? file.Sha256 : HashNext(whole, length);
                parts.Add(new IndexedPart(PartName(name, n), offset, length, hash));
                used.Add(PartName(name, n));
            }
            files.Add(new IndexedFile(file.Path, file.Sha256, file.Bytes, parts));
        }
        return files;
    }

    public const int MaxAssets = 1000;

    /// <summary>A path as an asset name: '/' becomes '__', anything outside [A-Za-z0-9._-] becomes '_', no leading dot.</summary>
    internal static string SafeName(string path)
    {
        var name = new string(path.Replace("/", "__").Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        return name.StartsWith('.') ? "_" + name[1..] : name;
    }

    /// <summary>The sha256 of the next <paramref name="length"/> bytes of <paramref name="stream"/>.</summary>
    private static string HashNext(Stream stream, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (var left = length; left > 0;)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
                throw new ChangedBytesException($"{stream}: ended {left} bytes early");
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

public sealed record IndexedFile(string Path, string Sha256, long Bytes, IReadOnlyList<IndexedPart> Parts)
{
    /// <summary>The packed asset that holds this file (format 2); null when its own parts hold it.</summary>
    public string? Archive { get; init; }
}

public sealed record IndexedPart(string Asset, long Offset, long Bytes, string Sha256);
