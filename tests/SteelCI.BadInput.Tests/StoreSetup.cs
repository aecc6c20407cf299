using SteelCI.Contracts;
using SteelCI.Hashing;

namespace SteelCI.BadInput.Tests;

/// <summary>Releases and state written as SteelCI writes them, for cases that then damage them.</summary>
public static class StoreSetup
{
    public static readonly string Key = new string('a', 12) + new string('0', 52);

    public static string Tag(string stage = "s1") => ReleaseTag.Complete("tiny", stage, Key).ToString();

    /// <summary>A complete, verifying release of a stage in the workspace: model.bin, metrics.json and manifest.json.</summary>
    public static string Release(Sandbox box, string stage = "s1")
    {
        var folder = Path.Combine(box.Workspace, "releases", Tag(stage));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(box.Workspace, ".steelci-workspace"), "SteelCI workspace\n");
        File.WriteAllBytes(Path.Combine(folder, "model.bin"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(folder, "metrics.json"), "{\"val_dice\": 0.5}");
        Manifest(folder, stage, ["model.bin", "metrics.json"]);
        return folder;
    }

    public static void Manifest(string folder, string stage, IEnumerable<string> files, IEnumerable<ManifestFile>? extra = null) =>
        File.WriteAllText(Path.Combine(folder, Contracts.Manifest.FileName), Json.Serialize(new Manifest
        {
            Pipeline = "tiny", Stage = stage, Entry = "e", Status = OutputStatus.Complete, ContentKey = Key,
            Files = files.Select(f => new ManifestFile(f, Sha256.OfFile(Path.Combine(folder, f)), new FileInfo(Path.Combine(folder, f)).Length))
                .Concat(extra ?? []).ToList(),
            Progress = new Progress(1, 1),
            Metrics = new Dictionary<string, double> { ["val_dice"] = 0.5 },
            Lineage = new Lineage { Inputs = [], TrainerHash = "t", SteelciVersion = "0.1.0" },
            Runtime = new RuntimeInfo("0", "0", "cpu", 1, "linux"),
            CreatedUtc = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero),
        }));

    public static void FlipByte(string file, long at = 100)
    {
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = at;
        var value = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(value ^ 0x01));
    }

    public static void Truncate(string file, long length)
    {
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.SetLength(length);
    }
}
