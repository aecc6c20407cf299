using System.Reflection;
using System.Runtime.InteropServices;
using SteelCI.Contracts;
using SteelCI.Hashing;

namespace SteelCI.Training;

/// <summary>Writes manifest.json for everything in the output folder; the manifest appears by rename, whole or not at all.</summary>
public static class ManifestWriter
{
    public const string LibTorchVersion = "2.10.0";

    /// <summary>Returns the manifest's own sha256, which the end marker names.</summary>
    public static string Write(StageContext context, StageOutcome outcome, string device)
    {
        var files = Sha256.FilesUnder(context.Output)
            .Where(f => f.Relative != Manifest.FileName && !f.Relative.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => new ManifestFile(f.Relative, Sha256.OfFile(f.Full), new FileInfo(f.Full).Length))
            .ToList();
        var config = context.Config;
        var manifest = new Manifest
        {
            Pipeline = config.Pipeline,
            Stage = config.Stage,
            Entry = config.Entry,
            Status = outcome.Status,
            ContentKey = config.ContentKey,
            Files = files,
            Metrics = outcome.Metrics,
            Thresholds = outcome.Thresholds,
            Progress = outcome.Progress,
            Lineage = new Lineage
            {
                Inputs = config.Inputs.Where(i => i.Name != config.ResumeFrom)
                    .Select(i => new InputLineage(i.Name, i.Source, i.ContentKey)).ToList(),
                TrainerHash = config.TrainerHash,
                SteelciVersion = config.SteelciVersion,
                SourceCommit = config.SourceCommit,
                ResumedFrom = config.Inputs.FirstOrDefault(i => i.Name == config.ResumeFrom)?.Source,
            },
            Runtime = new RuntimeInfo(TorchSharpVersion(), LibTorchVersion, device, context.Threads, RuntimeInformation.OSDescription),
            CreatedUtc = context.Time.GetUtcNow(),
        };
        var path = Path.Combine(context.Output, Manifest.FileName);
        File.WriteAllText(path + ".tmp", Json.Serialize(manifest));
        File.Move(path + ".tmp", path, overwrite: true);
        return Sha256.OfFile(path);
    }

    private static string TorchSharpVersion() =>
        typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
