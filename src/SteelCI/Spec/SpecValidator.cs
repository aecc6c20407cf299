using System.Text.RegularExpressions;

namespace SteelCI.Spec;

/// <summary>Checks what YAML cannot: names, references, cycles, allowed values. Throws at the first problem.</summary>
internal static partial class SpecValidator
{
    public static readonly string[] Backends = ["local", "kaggle", "slurm"];
    public static readonly string[] Stores = ["local", "github"];
    public static readonly string[] Accelerators = ["cpu", "gpu"];

    public static void Validate(PipelineSpec spec, string file)
    {
        SpecLocation At(SpecNode node) => SpecLoader.At(file, node.Start);

        if (spec.Version != 1)
            throw new SpecException(At(spec), $"version must be 1 (found {spec.Version}); this SteelCI reads pipeline format 1");
        if (!Name().IsMatch(spec.Name))
            throw new SpecException(At(spec), $"name '{spec.Name}' must be lowercase letters, digits and dashes, 2 to 30 characters");
        if (string.IsNullOrWhiteSpace(spec.Trainer.Project))
            throw new SpecException(At(spec.Trainer), "trainer.project must name the trainer's .csproj");
        Require(Backends, spec.Backend, "backend", At(spec));
        Require(Stores, spec.Store, "store", At(spec));
        if (spec.SessionMinutes <= 0)
            throw new SpecException(At(spec), "session_minutes must be positive");
        if (spec.Stages.Count == 0)
            throw new SpecException(At(spec), "the pipeline has no stages");

        foreach (var (name, dataset) in spec.Datasets)
        {
            CheckName(name, "dataset", At(dataset));
            if (dataset.Path is null && dataset.Generate is null && dataset.Competition is null)
                throw new SpecException(At(dataset), $"dataset '{name}' needs a path, a competition or a generate entry");
            if (dataset.Competition is { } competition && !Name().IsMatch(competition) && !LongSlug().IsMatch(competition))
                throw new SpecException(At(dataset), $"dataset '{name}': competition '{competition}' is not a Kaggle competition slug");
            if (dataset.Generate is { Entry: "" })
                throw new SpecException(At(dataset.Generate), $"dataset '{name}': generate.entry is empty");
            if (spec.Stages.ContainsKey(name))
                throw new SpecException(At(dataset), $"'{name}' is both a dataset and a stage; names must be unique");
        }

        foreach (var (name, stage) in spec.Stages)
        {
            CheckName(name, "stage", At(stage));
            if (string.IsNullOrWhiteSpace(stage.Entry))
                throw new SpecException(At(stage), $"stage '{name}' has no entry (the trainer entry point to run)");
            Require(Accelerators, stage.Accelerator, $"stage '{name}': accelerator", At(stage));
            if (stage.Budget.Epochs < 1)
                throw new SpecException(At(stage.Budget), $"stage '{name}': budget.epochs must be at least 1");
            if (stage.Budget.MinutesPerEpoch <= 0)
                throw new SpecException(At(stage.Budget), $"stage '{name}': budget.minutes_per_epoch must be positive");
            foreach (var input in stage.Inputs)
            {
                if (!spec.Stages.ContainsKey(input.Name) && !spec.Datasets.ContainsKey(input.Name))
                    throw new SpecException(SpecLoader.At(file, input.Start),
                        $"stage '{name}': input '{input.Name}' is neither a stage nor a dataset of this pipeline");
                if (input.Name == name)
                    throw new SpecException(SpecLoader.At(file, input.Start), $"stage '{name}' lists itself as an input");
            }
        }

        FindCycle(spec, file);

        foreach (var (profileName, profile) in spec.Profiles)
        {
            foreach (var stageName in profile.Stages.Keys.Where(k => k != "*" && !spec.Stages.ContainsKey(k)))
                throw new SpecException(At(profile), $"profile '{profileName}' overrides stage '{stageName}', which does not exist");
            foreach (var datasetName in profile.Datasets.Keys.Where(k => !spec.Datasets.ContainsKey(k)))
                throw new SpecException(At(profile), $"profile '{profileName}' overrides dataset '{datasetName}', which does not exist");
            foreach (var (stageName, stageOverride) in profile.Stages)
                if (stageOverride.Epochs is < 1)
                    throw new SpecException(At(stageOverride), $"profile '{profileName}', stage '{stageName}': epochs must be at least 1");
        }
    }

    private static void FindCycle(PipelineSpec spec, string file)
    {
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        var path = new Stack<string>();

        void Visit(string name)
        {
            state[name] = 1;
            path.Push(name);
            foreach (var input in spec.Stages[name].Inputs.Where(i => spec.Stages.ContainsKey(i.Name)))
            {
                if (state.GetValueOrDefault(input.Name) == 1)
                {
                    var cycle = path.Reverse().SkipWhile(n => n != input.Name).Append(input.Name);
                    throw new SpecException(SpecLoader.At(file, input.Start),
                        $"stages form a cycle: {string.Join(" -> ", cycle)}");
                }
                if (state.GetValueOrDefault(input.Name) == 0)
                    Visit(input.Name);
            }
            path.Pop();
            state[name] = 2;
        }

        foreach (var name in spec.Stages.Keys.Where(n => state.GetValueOrDefault(n) == 0))
            Visit(name);
    }

    private static void CheckName(string name, string what, SpecLocation at)
    {
        if (!Name().IsMatch(name))
            throw new SpecException(at, $"{what} name '{name}' must be lowercase letters, digits and dashes, 2 to 30 characters");
    }

    private static void Require(string[] allowed, string value, string what, SpecLocation at)
    {
        if (!allowed.Contains(value))
            throw new SpecException(at, $"{what} '{value}' is not one of: {string.Join(", ", allowed)}");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,29}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,99}$")]
    private static partial Regex LongSlug();
}
