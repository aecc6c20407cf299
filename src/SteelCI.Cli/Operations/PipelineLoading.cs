using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>Reads a pipeline file and applies a profile and --data overrides.</summary>
public static class PipelineLoading
{
    /// <summary>The scheduled tick's profile when no --profile is given (the workflow sets it from a dispatch's input or vars.STEELCI_PROFILE).</summary>
    public const string ProfileVariable = "STEELCI_PROFILE";

    /// <summary>
    /// The profile a tick trains: --profile, else $STEELCI_PROFILE (when not empty), else the pipeline file's
    /// <c>schedule.profile</c>, else none (the base values). Never a profile by accident.
    /// </summary>
    public static string? ScheduledProfile(string? profile, PipelineSpec spec, Func<string, string?> environment) =>
        profile ?? (environment(ProfileVariable) is { Length: > 0 } named ? named.Trim() : spec.Schedule?.Profile);

    /// <param name="backend">The backend chosen on the command line, when it overrides the file's (decides how a
    /// competition dataset is attached).</param>
    /// <param name="scheduled">A tick: without a profile, use <see cref="ScheduledProfile"/>'s.</param>
    public static Pipeline Load(string specPath, string? profile, string[] data, double? sessionMinutes = null, string? backend = null,
        bool scheduled = false)
    {
        var spec = SpecLoader.Load(specPath);
        if (scheduled)
            profile = ScheduledProfile(profile, spec, Environment.GetEnvironmentVariable);
        var paths = new Dictionary<string, string>();
        foreach (var item in data)
        {
            var equals = item.IndexOf('=');
            string name;
            if (equals > 0)
                name = item[..equals];
            else if (spec.Datasets.Count == 1)
                name = spec.Datasets.Keys.Single();
            else
                throw new UsageException($"--data {item}: the pipeline {Path.GetFullPath(specPath)} has {spec.Datasets.Count} datasets " +
                    $"({string.Join(", ", spec.Datasets.Keys)}); write --data NAME=DIR");
            if (!spec.Datasets.ContainsKey(name))
                throw new UsageException($"--data {item}: the pipeline has no dataset '{name}' (datasets: {string.Join(", ", spec.Datasets.Keys)})");
            var path = Path.GetFullPath(item[(equals + 1)..]);
            if (File.Exists(path))
                throw new UsageException($"--data {item}: {path} is a file; give the folder that holds the dataset (for Severstal: train.csv and train_images/)");
            if (!Directory.Exists(path))
                throw new UsageException($"--data {item}: no such folder {path}");
            if (!paths.TryAdd(name, path))
                throw new UsageException($"--data {item}: dataset '{name}' is given twice");
        }
        var pipeline = PipelineResolver.Resolve(spec, specPath, new PipelineOptions(profile, paths, sessionMinutes, backend));
        if (!File.Exists(pipeline.TrainerProject)) // else `run` would fail only when it builds the trainer
            throw new SpecException(spec.Trainer.LocationIn(Path.GetFullPath(specPath)),
                $"trainer.project: {pipeline.TrainerProject} does not exist (a path relative to the pipeline file)");
        return pipeline;
    }
}
