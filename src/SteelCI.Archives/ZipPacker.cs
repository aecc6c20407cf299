using SharpCompress.Common;
using SharpCompress.Writers.Zip;

namespace SteelCI.Archives;

/// <summary>
/// Packs files of a folder into one zip. Deterministic: entries in ordinal order of their relative path ('/'
/// separators), one fixed timestamp, so the same files give the same bytes (a content-addressed upload, a GitHub draft
/// completed by a later run). Written to <c>{zip}.partial</c> and renamed, so a zip that exists is whole.
/// Zip keeps no Unix modes here: whoever unpacks restores execute bits from its own list (the launcher does).
/// </summary>
public static class ZipPacker
{
    /// <summary>Deflate level chosen by bench/SteelCI.Archives.Bench on the self-contained trainer bundle (docs/kaggle.md).</summary>
    public const int DefaultLevel = 1;

    /// <summary>Zip's earliest representable time; every entry carries it.</summary>
    private static readonly DateTime FixedTime = new(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Packs <paramref name="relativePaths"/> (all files under the folder when null) into <paramref name="zipPath"/>.</summary>
    /// <param name="level">0 stores; 1–9 deflate at that level.</param>
    /// <returns>The zip's size in bytes.</returns>
    public static long Pack(string folder, string zipPath, int level = DefaultLevel, IEnumerable<string>? relativePaths = null)
    {
        if (level is < 0 or > 9)
            throw new ArgumentOutOfRangeException(nameof(level), level, "zip levels are 0 (store) to 9");
        var paths = (relativePaths ?? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(folder, f)))
            .Select(p => p.Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var partial = zipPath + ".partial";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(zipPath))!);
        using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var options = new ZipWriterOptions(level == 0 ? CompressionType.None : CompressionType.Deflate, level) { UseZip64 = true };
            using var writer = new ZipWriter(output, options);
            foreach (var path in paths)
            {
                using var input = File.OpenRead(Path.Combine(folder, path));
                writer.Write(path, input, new ZipWriterEntryOptions { ModificationDateTime = FixedTime });
            }
        }
        File.Move(partial, zipPath, overwrite: true);
        return new FileInfo(zipPath).Length;
    }
}
