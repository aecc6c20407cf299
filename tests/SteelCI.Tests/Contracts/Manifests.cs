using SteelCI.Contracts;
using SteelCI.Hashing;

namespace SteelCI.Tests.Contracts;

/// <summary>Writes real output folders with a valid manifest, as a trainer would.</summary>
internal static class Manifests
{
    public static Manifest Write(string directory, string stage, string contentKey, OutputStatus status = OutputStatus.Complete,
        int epochsDone = 1, int epochsTotal = 1, IReadOnlyDictionary<string, string>? files = null, double metric = 0.5)
    {
        Directory.CreateDirectory(directory);
        files ??= new Dictionary<string, string> { ["model.safetensors"] = $"weights of {stage} {epochsDone}", ["sub/notes.txt"] = "notes" };
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        var manifest = new Manifest
        {
            Pipeline = "pipe",
            Stage = stage,
            Entry = "fit",
            Status = status,
            ContentKey = contentKey,
            Files = files.Keys.Select(n => new ManifestFile(n, Sha256.OfFile(Path.Combine(directory, n)), new FileInfo(Path.Combine(directory, n)).Length)).ToList(),
            Metrics = new Dictionary<string, double> { ["score"] = metric },
            Progress = new Progress(epochsDone, epochsTotal),
            Lineage = new Lineage { TrainerHash = "t", SteelciVersion = "0.1.0" },
            Runtime = new RuntimeInfo("0.107.0", "2.10.0", "cpu", 1, "linux"),
            CreatedUtc = DateTimeOffset.UnixEpoch,
        };
        File.WriteAllText(Path.Combine(directory, Manifest.FileName), Json.Serialize(manifest));
        return manifest;
    }
}
