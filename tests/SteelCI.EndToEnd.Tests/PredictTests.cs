using System.Buffers.Binary;
using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

/// <summary><c>steelci predict</c> after a ci-profile run: the real trainer bundle with entry <c>predict</c> on new images.</summary>
[Collection("steelci")]
public sealed class PredictTests
{
    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        Assert.True(header[1..4].SequenceEqual("PNG"u8), $"{path} is not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(header[16..]), BinaryPrimitives.ReadInt32BigEndian(header[20..]));
    }

    [Fact]
    public void Predict_with_the_submission_and_with_one_segmenter_writes_submission_csv_and_overlays()
    {
        using var workspace = new PipelineWorkspace();
        using var dir = new TempDirectory("predict");
        var run = workspace.Run();
        Assert.True(run.ExitCode == 0, run.Output);
        var images = dir.Combine("images"); // "new" images: the generated test images, copied out of the release
        Directory.CreateDirectory(images);
        foreach (var file in Directory.GetFiles(Path.Combine(Directory.GetDirectories(workspace.Releases, "severstal-severstal-*").Single(), "test_images")))
            File.Copy(file, Path.Combine(images, Path.GetFileName(file)));
        var ids = Directory.GetFiles(images).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        var whole = Steelci.Run("predict", workspace.Spec, "--workspace", workspace.Root, "--release", "submission", "--images", images, "--output", dir.Combine("out"));

        Assert.True(whole.ExitCode == 0, whole.Output);
        Assert.Contains("model seg3: severstal-seg3-", whole.Output);
        var manifest = ManifestVerifier.Verify(dir.Combine("out"));
        Assert.Equal("predict", manifest.Entry);
        Assert.Contains(manifest.Lineage.Inputs, i => i.Name == "binary" && i.Source.StartsWith("severstal-binary-", StringComparison.Ordinal));
        // The submission's chosen gates travel to predict as params.
        var submission = ManifestVerifier.Verify(Directory.GetDirectories(workspace.Releases, "severstal-submission-*").Single());
        var config = Json.Read<StageConfig>(Directory.GetFiles(Path.Combine(workspace.Root, "predict"), "stage.json", SearchOption.AllDirectories).Single());
        for (var c = 1; c <= 4; c++)
            Assert.Equal(submission.Thresholds[$"gate_class{c}"], double.Parse(config.Params[$"gate_class{c}"], System.Globalization.CultureInfo.InvariantCulture));
        var csv = File.ReadAllLines(dir.Combine("out", "submission.csv"));
        Assert.Equal("ImageId,EncodedPixels,ClassId", csv[0]);
        Assert.Equal(ids.Count * 4, csv.Length - 1);
        foreach (var id in ids)
            Assert.Equal((1600, 256), PngSize(dir.Combine("out", "overlays", Path.GetFileNameWithoutExtension(id!) + ".png")));

        var one = Steelci.Run("predict", workspace.Spec, "--workspace", workspace.Root, "--release", "seg3", "--images", images, "--output", dir.Combine("seg3"));

        Assert.True(one.ExitCode == 0, one.Output);
        var rows = File.ReadAllLines(dir.Combine("seg3", "submission.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows.Where(r => r[2] != "3"), r => Assert.Equal("", r[1])); // one segmenter: only its class
        Assert.Equal(ids.Count, Directory.GetFiles(dir.Combine("seg3", "overlays")).Length);

        var classifier = Steelci.Run("predict", workspace.Spec, "--workspace", workspace.Root, "--release", "binary", "--images", images, "--output", dir.Combine("binary"));
        Assert.Equal(2, classifier.ExitCode);
        Assert.Contains("has no stage releases in its lineage", classifier.Output);
    }

    [Fact]
    public void Predict_explains_a_release_it_cannot_use_a_missing_images_folder_and_a_used_output()
    {
        using var workspace = new PipelineWorkspace();
        using var dir = new TempDirectory("predict-bad");
        dir.Write("out/keep.txt", "mine");
        Directory.CreateDirectory(dir.Combine("images"));

        var missingImages = Steelci.Run("predict", workspace.Spec, "--workspace", workspace.Root, "--release", "submission", "--images", dir.Combine("nope"), "--output", dir.Combine("o1"));
        var usedOutput = Steelci.Run("predict", workspace.Spec, "--workspace", workspace.Root, "--release", "submission", "--images", dir.Combine("images"), "--output", dir.Combine("out"));
        var noRelease = Steelci.Run("predict", workspace.Spec, "--workspace", workspace.Root, "--release", "submission", "--images", dir.Combine("images"), "--output", dir.Combine("o2"));

        Assert.Equal(2, missingImages.ExitCode);
        Assert.Contains("no such folder", missingImages.Output);
        Assert.Equal(2, usedOutput.ExitCode);
        Assert.Contains("exists and is not empty", usedOutput.Output);
        Assert.NotEqual(0, noRelease.ExitCode);
        Assert.Contains("stage submission of pipeline severstal has no release", noRelease.Output);
    }
}
