using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>Reads a pipeline file and applies a profile and --data overrides.</summary>
public static class PipelineLoading
{
    /// <param name="backend">The backend chosen on the command line, when it overrides the file's (decides how a
    /// competition dataset is attached).</param>
    public static Pipeline Load(string specPath, string? profile, string[] data, double? sessionMinutes = null, string? backend = null)
    {
        var spec = SpecLoader.Load(specPath);
        var paths = new Dictionary<string, string>();
        foreach (var item in data)
        {
            var equals = item.IndexOf('=');
            if (equals > 0)
                paths[item[..equals]] = Path.GetFullPath(item[(equals + 1)..]);
            else if (spec.Datasets.Count == 1)
                paths[spec.Datasets.Keys.Single()] = Path.GetFullPath(item);
            else
                throw new SpecException(new SpecLocation(Path.GetFullPath(specPath), 1, 1),
                    $"--data {item}: the pipeline has {spec.Datasets.Count} datasets; write --data NAME=DIR");
        }
        return PipelineResolver.Resolve(spec, specPath, new PipelineOptions(profile, paths, sessionMinutes, backend));
    }
}
