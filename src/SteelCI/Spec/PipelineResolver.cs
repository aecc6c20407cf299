namespace SteelCI.Spec;

/// <summary>What the user chose on the command line that changes the pipeline.</summary>
public sealed record PipelineOptions(string? Profile = null, IReadOnlyDictionary<string, string>? DataPaths = null,
    double? SessionMinutes = null, string? Backend = null);

/// <summary>Applies a profile and command-line overrides to a validated spec and orders the work.</summary>
public static class PipelineResolver
{
    public static Pipeline Resolve(PipelineSpec spec, string specPath, PipelineOptions options)
    {
        var file = Path.GetFullPath(specPath);
        var directory = Path.GetDirectoryName(file)!;
        var profile = ChooseProfile(spec, file, options.Profile);
        var dataPaths = options.DataPaths ?? new Dictionary<string, string>();
        foreach (var name in dataPaths.Keys.Where(k => !spec.Datasets.ContainsKey(k)))
            throw new SpecException(new SpecLocation(file, 1, 1), $"--data names dataset '{name}', which this pipeline does not have");

        var external = new Dictionary<string, ExternalDataset>();
        var nodes = new List<PipelineNode>();
        foreach (var (name, dataset) in spec.Datasets)
        {
            var path = dataPaths.GetValueOrDefault(name) ?? dataset.Path;
            if (path is null && dataset.Competition is { } competition && (options.Backend ?? spec.Backend) == "kaggle")
            {
                external[name] = new ExternalDataset(name, "", competition);
                continue;
            }
            if (path is null && dataset.Generate is null)
                throw new SpecException(SpecLoader.At(file, dataset.Start),
                    $"dataset '{name}' is the Kaggle competition '{dataset.Competition}', which only the kaggle backend attaches; " +
                    $"here, download it and pass --data {name}=DIR");
            if (path is not null)
            {
                var full = Path.GetFullPath(Path.Combine(directory, path));
                if (!Directory.Exists(full))
                    throw new SpecException(SpecLoader.At(file, dataset.Start), $"dataset '{name}': folder '{full}' does not exist");
                external[name] = new ExternalDataset(name, full);
                continue;
            }
            var overrides = profile?.Datasets.GetValueOrDefault(name) ?? new Dictionary<string, string>();
            nodes.Add(new PipelineNode(name, NodeKind.Dataset, dataset.Generate!.Entry, [],
                Merge(dataset.Generate.Params, overrides), 1, 1, false, "cpu", null));
        }

        var everyStage = profile?.Stages.GetValueOrDefault("*");
        foreach (var (name, stage) in spec.Stages)
        {
            var own = profile?.Stages.GetValueOrDefault(name);
            var parameters = Merge(Merge(stage.Params, everyStage?.Params), own?.Params);
            var epochs = own?.Epochs ?? everyStage?.Epochs ?? stage.Budget.Epochs;
            nodes.Add(new PipelineNode(name, NodeKind.Stage, stage.Entry, stage.Inputs.Select(i => i.Name).ToList(),
                parameters, epochs, stage.Budget.MinutesPerEpoch, stage.Resumable, stage.Accelerator, stage.Metric)
            {
                Compute = stage.Compute,
            });
        }

        return new Pipeline(spec.Name, file, options.Profile ?? "default",
            Path.GetFullPath(Path.Combine(directory, spec.Trainer.Project)), spec.Backend, spec.Store,
            options.SessionMinutes ?? spec.SessionMinutes, TopologicalOrder(nodes), external)
        {
            Compute = spec.Compute,
        };
    }

    private static ProfileSpec? ChooseProfile(PipelineSpec spec, string file, string? name)
    {
        if (name is null)
            return null;
        if (spec.Profiles.TryGetValue(name, out var profile))
            return profile;
        var known = spec.Profiles.Count == 0 ? "none" : string.Join(", ", spec.Profiles.Keys);
        throw new SpecException(new SpecLocation(file, 1, 1), $"profile '{name}' is not defined (defined: {known})");
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string>? second)
    {
        var merged = new Dictionary<string, string>(first);
        foreach (var (key, value) in second ?? new Dictionary<string, string>())
            merged[key] = value;
        return merged;
    }

    /// <summary>Spec order, moved only as far as dependencies require (the validator has ruled out cycles).</summary>
    private static List<PipelineNode> TopologicalOrder(List<PipelineNode> nodes)
    {
        var byName = nodes.ToDictionary(n => n.Name);
        var ordered = new List<PipelineNode>();
        var placed = new HashSet<string>();
        void Place(PipelineNode node)
        {
            if (!placed.Add(node.Name))
                return;
            foreach (var input in node.Inputs.Where(byName.ContainsKey))
                Place(byName[input]);
            ordered.Add(node);
        }
        nodes.ForEach(Place);
        return ordered;
    }
}
