// Usage: dotnet run -c Release --project bench/SteelCI.Archives.Bench -- FOLDER [LEVEL ...]
// FOLDER: e.g. {workspace}/trainer/bundles/{hash12} after `steelci run --backend kaggle` (the self-contained trainer).
// Prints, per zip level: bytes, seconds to pack, seconds to unpack (SafeUnpacker), and the same folder through .NET's
// System.IO.Compression.ZipFile (Fastest, Optimal) as the reference; plus the upload time those bytes need at 10 MiB/s.
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using SteelCI.Archives;

if (args.Length == 0 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: SteelCI.Archives.Bench FOLDER [LEVEL ...]   (levels 0-9; default 0 1 6)");
    return 2;
}
var folder = Path.GetFullPath(args[0]);
var levels = args.Length > 1 ? args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [0, 1, 6];
var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
var raw = files.Sum(f => new FileInfo(f).Length);
var scratch = Directory.CreateTempSubdirectory("steelci-archive-bench-").FullName;
const double UplinkMiBs = 10;
Console.WriteLine($"{folder}: {files.Length} files, {raw:N0} bytes ({raw / 1048576.0:F1} MiB); uplink assumed {UplinkMiBs} MiB/s");
Console.WriteLine($"{"packer",-28} {"bytes",15} {"of raw",7} {"pack s",8} {"unpack s",9} {"upload s",9} {"pack+upload s",14}");
try
{
    foreach (var level in levels)
    {
        var zip = Path.Combine(scratch, $"steelci-{level}.zip");
        var watch = Stopwatch.StartNew();
        var bytes = ZipPacker.Pack(folder, zip, level);
        var pack = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var written = SafeUnpacker.Unpack(zip, Path.Combine(scratch, $"out-{level}"));
        var unpack = watch.Elapsed.TotalSeconds;
        if (written.Count != files.Length)
            throw new InvalidOperationException($"level {level}: {written.Count} files unpacked, {files.Length} packed");
        Row($"SteelCI.Archives level {level}", bytes, pack, unpack);
        File.Delete(zip);
        Directory.Delete(Path.Combine(scratch, $"out-{level}"), recursive: true);
    }
    foreach (var level in new[] { CompressionLevel.Fastest, CompressionLevel.Optimal })
    {
        var zip = Path.Combine(scratch, $"dotnet-{level}.zip");
        var watch = Stopwatch.StartNew();
        ZipFile.CreateFromDirectory(folder, zip, level, includeBaseDirectory: false);
        var pack = watch.Elapsed.TotalSeconds;
        watch.Restart();
        ZipFile.ExtractToDirectory(zip, Path.Combine(scratch, $"out-{level}"));
        Row($"reference .NET ZipFile {level}", new FileInfo(zip).Length, pack, watch.Elapsed.TotalSeconds);
        File.Delete(zip);
        Directory.Delete(Path.Combine(scratch, $"out-{level}"), recursive: true);
    }
}
finally
{
    Directory.Delete(scratch, recursive: true);
}
return 0;

void Row(string name, long bytes, double pack, double unpack)
{
    var upload = bytes / 1048576.0 / UplinkMiBs;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-28} {bytes,15:N0} {bytes / (double)raw,7:P0} {pack,8:F1} {unpack,9:F1} {upload,9:F0} {pack + upload,14:F0}"));
}
