using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SteelCI.Contracts;

namespace SteelCI.GitHub;

/// <summary>
/// steelci-assets.json, format "steelci.assets/1": which release assets hold which manifest file. A file larger than the
/// part size is split into consecutive parts <c>NAME.part001</c>, … each with its own sha256; the file's own sha256 stays
/// in the manifest. Asset names use only [A-Za-z0-9._-] (GitHub renames anything else).
/// </summary>
public sealed record AssetIndex(string Format, string ManifestSha256, long PartSize, IReadOnlyList<IndexedFile> Files)
{
    public const string FileName = "steelci-assets.json";
    public const string CurrentFormat = "steelci.assets/1";

    /// <summary>Every asset the release must hold, data first, then this index, then the manifest (the last word).</summary>
    public IEnumerable<string> AssetNames => Files.SelectMany(f => f.Parts).Select(p => p.Asset).Append(FileName).Append(Manifest.FileName);

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Json.Serialize(this));

    public static AssetIndex Parse(byte[] bytes, string source)
    {
        try
        {
            var index = JsonSerializer.Deserialize<AssetIndex>(bytes, Json.Options) ?? throw new InvalidDataException($"{source}: empty");
            if (index.Format != CurrentFormat)
                throw new InvalidDataException($"{source}: format '{index.Format}' is not supported (this SteelCI reads {CurrentFormat})");
            return index;
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{source}: not a valid asset index ({error.Message})", error);
        }
    }

    /// <summary>Plans the assets of a verified output folder. Hashes only the parts of split files (the manifest has the rest).</summary>
    public static AssetIndex Plan(string directory, Manifest manifest, byte[] manifestBytes, long partSize)
    {
        if (partSize < 1)
            throw new ArgumentOutOfRangeException(nameof(partSize));
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { FileName, Manifest.FileName };
        var files = new List<IndexedFile>();
        for (var i = 0; i < manifest.Files.Count; i++)
        {
            var file = manifest.Files[i];
            var name = SafeName(file.Path);
            var count = Math.Max(1, (int)((file.Bytes + partSize - 1) / partSize));
            string PartName(string stem, int n) => count == 1 ? stem : $"{stem}.part{n:000}";
            if (Enumerable.Range(1, count).Any(n => used.Contains(PartName(name, n))))
                name = $"{i:000}-{name}";
            var parts = new List<IndexedPart>();
            for (var n = 1; n <= count; n++)
            {
                var offset = (n - 1) * partSize;
                var length = Math.Min(partSize, file.Bytes - offset);
                var hash = count == 1 ? file.Sha256 : HashRange(Path.Combine(directory, file.Path), offset, length);
                parts.Add(new IndexedPart(PartName(name, n), offset, length, hash));
                used.Add(PartName(name, n));
            }
            files.Add(new IndexedFile(file.Path, file.Sha256, file.Bytes, parts));
        }
        var index = new AssetIndex(CurrentFormat, Convert.ToHexStringLower(SHA256.HashData(manifestBytes)), partSize, files);
        var assets = index.AssetNames.Count();
        if (assets > MaxAssets)
            throw new GitHubStoreException($"{directory}: {assets} release assets needed, GitHub allows {MaxAssets} per release. Pack small files together or raise the part size.");
        return index;
    }

    public const int MaxAssets = 1000;

    /// <summary>A path as an asset name: '/' becomes '__', anything outside [A-Za-z0-9._-] becomes '_', no leading dot.</summary>
    internal static string SafeName(string path)
    {
        var name = new string(path.Replace("/", "__").Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        return name.StartsWith('.') ? "_" + name[1..] : name;
    }

    internal static string HashRange(string path, long offset, long length)
    {
        using var stream = new SliceStream(path, offset, length);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

public sealed record IndexedFile(string Path, string Sha256, long Bytes, IReadOnlyList<IndexedPart> Parts);

public sealed record IndexedPart(string Asset, long Offset, long Bytes, string Sha256);
