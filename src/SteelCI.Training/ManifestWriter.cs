using System.Reflection;
using System.Runtime.InteropServices;
using SteelCI.Contracts;
using SteelCI.Hashing;

namespace SteelCI.Training;

/// <summary>
/// Writes manifest.json for everything in the output folder; the manifest appears by rename, whole or not at all.
/// Files still pending (a checkpoint being written) are hashed under their temporary names and renamed just before
/// the manifest, so the folder holds the previous whole checkpoint until the new one is ready; the stage's
/// <see cref="StageContext.Finishing"/> files are such files. A complete manifest leaves the resume files out and
/// deletes them after.
/// </summary>
public static class ManifestWriter
{
    public const string LibTorchVersion = "2.10.0";

    /// <summary>Returns the manifest's own sha256, which the end marker names.</summary>
    public static string Write(StageContext context, StageOutcome outcome, string device, PendingFiles? pending = null)
    {
        var complete = outcome.Status == OutputStatus.Complete;
        pending ??= context.Finishing;
        string[] leftOut = complete ? [Manifest.FileName, Checkpoint.Optimizer, Checkpoint.Resume] : [Manifest.FileName];
        var pendingNow = (pending?.Paths ?? []).ToDictionary(p => Relative(context.Output, p), p => pending!.Current(p));
        var files = Sha256.FilesUnder(context.Output)
            .Where(f => !leftOut.Contains(f.Relative) && !f.Relative.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => f.Relative).Union(pendingNow.Keys)
            .Select(relative => (Relative: relative, Bytes: pendingNow.GetValueOrDefault(relative) ?? Path.Combine(context.Output, relative)))
            .Select(f => new ManifestFile(f.Relative, Sha256.OfFile(f.Bytes), new FileInfo(f.Bytes).Length))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
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
        pending?.Commit();
        File.Move(path + ".tmp", path, overwrite: true);
        context.Finishing = null;
        if (complete)
            Checkpoint.DeleteResume(context.Output); // the last periodic checkpoint's; the complete manifest does not list them
        return Sha256.OfFile(path);
    }

    private static string Relative(string folder, string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');

    private static string TorchSharpVersion() =>
        typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
