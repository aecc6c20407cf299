using SteelCI.Spec;
using SteelCI.Testing;

namespace SteelCI.Tests.Spec;

public sealed class SpecLoaderTests
{
    private const string Minimal = """
        version: 1
        name: demo
        trainer:
          project: trainer/Demo.csproj
        datasets:
          data:
            generate: { entry: make, params: { n: "10" } }
        stages:
          train:
            entry: fit
            inputs: [data]
            budget: { epochs: 3, minutes_per_epoch: 2 }
          report:
            entry: report
            inputs: [train, data]
        profiles:
          quick:
            datasets: { data: { n: "2" } }
            stages:
              "*": { epochs: 1, params: { size: "8" } }
              report: { params: { size: "4" } }
        """;

    [Fact]
    public void The_shipped_severstal_pipeline_loads_with_every_profile()
    {
        var path = Repository.File("kernels", "severstal", "steelci.yml");
        var spec = SpecLoader.Load(path);

        Assert.Equal("severstal", spec.Name);
        Assert.Equal(["eda", "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission"], spec.Stages.Keys);
        foreach (var profile in new[] { "demo", "ci", "bench" })
        {
            var pipeline = PipelineResolver.Resolve(spec, path, new PipelineOptions(profile));
            Assert.Equal("severstal", pipeline.Nodes[0].Name); // the generated dataset comes first
            Assert.Equal("submission", pipeline.Nodes[^1].Name);
        }
    }

    [Fact]
    public void A_profile_overrides_epochs_and_params_stage_by_stage()
    {
        var spec = SpecLoader.Parse(Minimal, "/p/steelci.yml");

        var pipeline = PipelineResolver.Resolve(spec, "/p/steelci.yml", new PipelineOptions("quick"));

        Assert.Equal("2", pipeline.Node("data").Params["n"]);
        Assert.Equal(1, pipeline.Node("train").Epochs);
        Assert.Equal("8", pipeline.Node("train").Params["size"]);
        Assert.Equal("4", pipeline.Node("report").Params["size"]);
        Assert.Equal(3, PipelineResolver.Resolve(spec, "/p/steelci.yml", new PipelineOptions()).Node("train").Epochs);
    }

    [Fact]
    public void A_data_folder_replaces_the_generated_dataset()
    {
        using var data = new TempDirectory("data");
        var spec = SpecLoader.Parse(Minimal, "/p/steelci.yml");

        var pipeline = PipelineResolver.Resolve(spec, "/p/steelci.yml",
            new PipelineOptions(DataPaths: new Dictionary<string, string> { ["data"] = data.Path }));

        Assert.DoesNotContain(pipeline.Nodes, n => n.Name == "data");
        Assert.Equal(data.Path, pipeline.ExternalDatasets["data"].Path);
    }

    [Theory]
    [InlineData("  train:\n    entry: fit\n    colour: red\n", 11, "unknown key 'colour' in a stage; allowed: entry, inputs")]
    [InlineData("  train:\n    entry: fit\n    inputs: [data, nowhere]\n", 11, "input 'nowhere' is neither a stage nor a dataset")]
    [InlineData("  train:\n    entry: fit\n    inputs: [report]\n  report:\n    entry: r\n    inputs: [train]\n", 14, "stages form a cycle: train -> report -> train")]
    [InlineData("  train:\n    entry: fit\n    budget: { epochs: 0 }\n", 11, "budget.epochs must be at least 1")]
    [InlineData("  train:\n    entry: fit\n    accelerator: tpu\n", 10, "accelerator 'tpu' is not one of: cpu, gpu")]
    [InlineData("  train:\n    entry: fit\n  train:\n    entry: again\n", 9, "duplicate key")]
    [InlineData("  train:\n    entry: [fit\n", 10, "")]
    public void A_broken_stage_is_reported_with_file_line_and_column(string stages, int line, string problem)
    {
        var yaml = $"version: 1\nname: demo\ntrainer:\n  project: t.csproj\ndatasets:\n  data:\n    path: .\nstages:\n{stages}";

        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, "/p/steelci.yml"));

        Assert.Equal("/p/steelci.yml", error.Location.File);
        Assert.Equal(line, error.Location.Line);
        Assert.True(error.Location.Column >= 1);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith($"/p/steelci.yml:{error.Location.Line}:{error.Location.Column}: ", error.Message);
    }

    [Fact]
    public void The_missing_input_is_located_at_the_input_itself()
    {
        var yaml = "version: 1\nname: demo\ntrainer:\n  project: t.csproj\nstages:\n  train:\n    entry: fit\n    inputs: [ghost]\n";

        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, "f.yml"));

        Assert.Equal(8, error.Location.Line);
        Assert.Equal(14, error.Location.Column);
    }

    [Theory]
    [InlineData("version: 2\nname: demo\ntrainer: { project: t }\nstages: { a1: { entry: e } }", "version must be 1")]
    [InlineData("version: 1\nname: Demo!\ntrainer: { project: t }\nstages: { a1: { entry: e } }", "name 'Demo!'")]
    [InlineData("version: 1\nname: demo\ntrainer: { project: t }\nbackend: cloud\nstages: { a1: { entry: e } }", "backend 'cloud'")]
    [InlineData("version: 1\nname: demo\ntrainer: { project: t }\nstages: {}", "no stages")]
    [InlineData("", "empty")]
    public void Pipeline_level_problems_are_named(string yaml, string problem)
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, "f.yml"));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void An_unknown_profile_lists_the_known_ones()
    {
        var spec = SpecLoader.Parse(Minimal, "/p/steelci.yml");

        var error = Assert.Throws<SpecException>(() => PipelineResolver.Resolve(spec, "/p/steelci.yml", new PipelineOptions("fast")));

        Assert.Contains("profile 'fast' is not defined (defined: quick)", error.Message);
    }

    [Fact]
    public void A_competition_dataset_is_attached_on_kaggle_generated_here_and_refused_here_without_a_generator()
    {
        const string yaml = """
            version: 1
            name: demo
            trainer: { project: t.csproj }
            datasets:
              data: { competition: severstal-steel-defect-detection, generate: { entry: make } }
              real: { competition: severstal-steel-defect-detection }
            stages:
              fit: { entry: fit, inputs: [data] }
            """;
        var spec = SpecLoader.Parse(yaml, "/p/steelci.yml");
        spec.Datasets.Remove("real");

        var onKaggle = PipelineResolver.Resolve(spec, "/p/steelci.yml", new PipelineOptions(Backend: "kaggle"));
        var here = PipelineResolver.Resolve(spec, "/p/steelci.yml", new PipelineOptions());

        Assert.Equal("severstal-steel-defect-detection", onKaggle.ExternalDatasets["data"].Competition);
        Assert.DoesNotContain(onKaggle.Nodes, n => n.Name == "data");
        Assert.Contains(here.Nodes, n => n.Name == "data" && n.Entry == "make");
        var refused = Assert.Throws<SpecException>(() => PipelineResolver.Resolve(SpecLoader.Parse(yaml, "/p/steelci.yml"), "/p/steelci.yml", new PipelineOptions()));
        Assert.Contains("dataset 'real' is the Kaggle competition 'severstal-steel-defect-detection', which only the kaggle backend attaches", refused.Message);
        Assert.Contains("--data real=DIR", refused.Message);
    }
}
