using System.Text.RegularExpressions;

namespace SteelCI.Spec;

/// <summary>
/// A key written with no value (<c>stages:</c>, <c>s1:</c>, <c>params: { lr: }</c>) reads as null; each is refused here
/// with the key's line, before any other check could stumble on it.
/// </summary>
internal static class SpecNulls
{
    public static void Check(PipelineSpec spec, string yaml, string file)
    {
        var lines = yaml.Split('\n');

        SpecLocation Locate(string key, SpecNode? near = null)
        {
            var from = near?.Start is { } start ? (int)start.Line - 1 : 0;
            var pattern = new Regex($@"^\s*(- )?['""]?{Regex.Escape(key)}['""]?\s*:|[{{,]\s*{Regex.Escape(key)}\s*:");
            for (var i = Math.Max(0, from); i < lines.Length; i++)
                if (pattern.IsMatch(lines[i]))
                    return new SpecLocation(file, i + 1, lines[i].IndexOf(key, StringComparison.Ordinal) + 1);
            return SpecLoader.At(file, near?.Start);
        }

        void Require(object? value, string key, string hint, SpecNode? near = null)
        {
            if (value is null)
                throw new SpecException(Locate(key, near), $"'{key}' has no value; {hint}");
        }

        void Params(Dictionary<string, string>? values, string owner, SpecNode near)
        {
            Require(values, "params", $"{owner}: write params: {{ name: value }} or leave the key out", near);
            foreach (var (name, value) in values!)
                Require(value, name, $"{owner}: param '{name}' needs a value", near);
        }

        Require(spec.Name, "name", "give the pipeline a name (lowercase letters, digits, dashes)");
        Require(spec.Trainer, "trainer", "write trainer: { project: path/to/Trainer.csproj }");
        Require(spec.Backend, "backend", "local, kaggle or slurm");
        Require(spec.Store, "store", "local or github");
        Require(spec.Compute, "compute", "write compute: with local:, kaggle: or slurm: subsections (docs/compute.md), or leave the key out");
        Require(spec.Datasets, "datasets", "list datasets or leave the key out");
        Require(spec.Stages, "stages", "the pipeline needs at least one stage");
        Require(spec.Profiles, "profiles", "list profiles or leave the key out");
        foreach (var (name, dataset) in spec.Datasets)
        {
            Require(dataset, name, $"dataset '{name}' needs a path, a competition or a generate entry");
            if (dataset.Generate is { } generate)
                Params(generate.Params, $"dataset '{name}'", generate);
        }
        foreach (var (name, stage) in spec.Stages)
        {
            Require(stage, name, $"stage '{name}' needs at least entry: (the trainer entry point)");
            Require(stage.Entry, "entry", $"stage '{name}' needs an entry (the trainer entry point)", stage);
            Require(stage.Inputs, "inputs", $"stage '{name}': write inputs: [a, b] or leave the key out", stage);
            Require(stage.Budget, "budget", $"stage '{name}': write budget: {{ epochs: N, minutes_per_epoch: M }} or leave the key out", stage);
            Require(stage.Accelerator, "accelerator", $"stage '{name}': cpu or gpu", stage);
            Params(stage.Params, $"stage '{name}'", stage);
            foreach (var input in stage.Inputs.Where(i => string.IsNullOrWhiteSpace(i.Name)))
                throw new SpecException(SpecLoader.At(file, input.Start), $"stage '{name}': an input is empty; name a stage or a dataset");
        }
        foreach (var (name, profile) in spec.Profiles)
        {
            Require(profile, name, $"profile '{name}' is empty; give it stages: or datasets: overrides, or remove it");
            Require(profile.Stages, "stages", $"profile '{name}': write stage overrides or leave the key out", profile);
            Require(profile.Datasets, "datasets", $"profile '{name}': write dataset overrides or leave the key out", profile);
            foreach (var (stageName, stageOverride) in profile.Stages)
            {
                Require(stageOverride, stageName, $"profile '{name}', stage '{stageName}': write epochs: or params:, or remove it", profile);
                Params(stageOverride.Params, $"profile '{name}', stage '{stageName}'", stageOverride);
            }
            foreach (var (datasetName, values) in profile.Datasets)
                Require(values, datasetName, $"profile '{name}', dataset '{datasetName}': write params or remove it", profile);
        }
    }
}
