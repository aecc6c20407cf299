using Severstal.Data;
using SteelCI.Testing;

namespace Severstal.Trainer.Tests;

public sealed class DataTests
{
    [Fact]
    public void Rle_numbers_pixels_top_to_bottom_then_left_to_right_from_one()
    {
        var mask = Rle.Decode("1 3 10 5", height: 4, width: 4);

        // column 0 rows 0-2; pixels 10..14 are column 2 rows 1-3 and column 3 rows 0-1
        byte[] expected =
        [
            1, 0, 0, 1,
            1, 0, 1, 1,
            1, 0, 1, 0,
            0, 0, 1, 0,
        ];
        Assert.Equal(expected, mask);
        Assert.Equal("1 3 10 5", Rle.Encode(mask, 4, 4));
    }

    [Fact]
    public void Rle_round_trips_full_size_masks_including_runs_that_touch_the_last_pixel()
    {
        var random = new Random(3);
        var mask = new byte[Rle.Height * Rle.Width];
        for (var i = 0; i < mask.Length; i++)
            mask[i] = (byte)(random.Next(7) == 0 ? 1 : 0);
        mask[^1] = 1;

        Assert.Equal(mask, Rle.Decode(Rle.Encode(mask)));
        Assert.Equal("", Rle.Encode(new byte[16], 4, 4));
    }

    [Theory]
    [InlineData("1 3 10", "odd number")]
    [InlineData("0 3", "not two positive integers")]
    [InlineData("5 3 6 2", "inside or before the previous run")]
    [InlineData("409600 2", "runs past")]
    public void Rle_refuses_what_the_competition_metric_refuses(string rle, string problem) =>
        Assert.Contains(problem, Assert.Throws<FormatException>(() => Rle.Decode(rle)).Message);

    [Fact]
    public void Both_published_train_csv_layouts_read_the_same()
    {
        using var newer = new TempDirectory("csv-new");
        using var older = new TempDirectory("csv-old");
        foreach (var dir in new[] { newer, older })
            foreach (var id in new[] { "a.jpg", "b.jpg", "c.jpg" })
                dir.Write($"train_images/{id}", "jpeg");
        newer.Write("train.csv", "ImageId,ClassId,EncodedPixels\na.jpg,1,1 3\na.jpg,3,10 5\nc.jpg,4,7 2\n");
        older.Write("train.csv", "ImageId_ClassId,EncodedPixels\na.jpg_1,1 3\na.jpg_2,\na.jpg_3,10 5\na.jpg_4,\nb.jpg_1,\nb.jpg_2,\nb.jpg_3,\nb.jpg_4,\nc.jpg_1,\nc.jpg_2,\nc.jpg_3,\nc.jpg_4,7 2\n");

        foreach (var labels in new[] { TrainLabels.Load(newer.Path), TrainLabels.Load(older.Path) })
        {
            Assert.Equal(["a.jpg", "b.jpg", "c.jpg"], labels.Images);
            Assert.Equal("10 5", labels.Rle("a.jpg", 3));
            Assert.False(labels.HasAny("b.jpg"));
            Assert.True(labels.Has("c.jpg", 4));
        }
    }

    [Fact]
    public void A_bad_row_is_reported_with_its_file_and_line()
    {
        using var dir = new TempDirectory("csv-bad");
        dir.Write("train_images/a.jpg", "jpeg");
        var csv = dir.Write("train.csv", "ImageId,ClassId,EncodedPixels\na.jpg,1,1 3\na.jpg,7,1 3\n");

        Assert.Equal($"{csv}:3: class '7' is not 1..4", Assert.Throws<InvalidDataException>(() => TrainLabels.Load(dir.Path)).Message);
        dir.Write("train.csv", "ImageId,ClassId,EncodedPixels\na.jpg,1,3 1 2 1\n");
        Assert.StartsWith($"{csv}:2: RLE pair 2", Assert.Throws<InvalidDataException>(() => TrainLabels.Load(dir.Path)).Message);
    }

    [Fact]
    public void The_synthetic_dataset_is_deterministic_by_seed_and_written_in_the_competition_format()
    {
        using var a = new TempDirectory("synth-a");
        using var b = new TempDirectory("synth-b");
        using var c = new TempDirectory("synth-c");

        new SyntheticSeverstal(seed: 5).Write(a.Path, 24, 3);
        new SyntheticSeverstal(seed: 5).Write(b.Path, 24, 3);
        new SyntheticSeverstal(seed: 6).Write(c.Path, 24, 3);

        Assert.Equal(File.ReadAllText(a.Combine("train.csv")), File.ReadAllText(b.Combine("train.csv")));
        Assert.NotEqual(File.ReadAllText(a.Combine("train.csv")), File.ReadAllText(c.Combine("train.csv")));
        var labels = TrainLabels.Load(a.Path);
        Assert.Equal(24, labels.Images.Count);
        var first = labels.Images[0];
        Assert.Equal(File.ReadAllBytes(a.Combine("train_images", first)), File.ReadAllBytes(b.Combine("train_images", first)));
        Assert.Equal((256 * 1600), GrayImage.Load(a.Combine("train_images", first), 256, 1600).Length);
        Assert.Equal(3, Directory.GetFiles(a.Combine("test_images")).Length);
        Assert.StartsWith("ImageId,EncodedPixels,ClassId\n", File.ReadAllText(a.Combine("sample_submission.csv")));
    }

    [Fact]
    public void The_synthetic_labels_follow_the_competition_statistics_with_disjoint_masks()
    {
        var generator = new SyntheticSeverstal(seed: 11);
        var images = Enumerable.Range(0, 500).Select(i => generator.Render(i, "train").Labels).ToList();

        var defectFree = images.Count(l => l.All(v => v == 0)) / (double)images.Count;
        var masks = Enumerable.Range(1, 4).Select(c => images.Count(l => l.Contains((byte)c))).ToArray();
        var shares = masks.Select(m => m / (double)masks.Sum()).ToArray();

        Assert.InRange(defectFree, 0.40, 0.54); // 47% in the competition
        double[] expected = [0.126, 0.035, 0.726, 0.113];
        for (var c = 0; c < 4; c++)
            Assert.InRange(shares[c], expected[c] - 0.06, expected[c] + 0.06);
        Assert.Contains(images, l => l.Contains((byte)3) && l.Contains((byte)1) || l.Contains((byte)3) && l.Contains((byte)4)); // some images carry two classes
    }

    [Fact]
    public void The_classes_look_different_thin_scratches_small_patches_and_large_regions()
    {
        var generator = new SyntheticSeverstal(seed: 2);
        var areas = new Dictionary<int, List<int>> { [1] = [], [2] = [], [3] = [], [4] = [] };
        for (var i = 0; i < 300; i++)
        {
            var (_, _, labels) = generator.Render(i, "train");
            foreach (var c in areas.Keys)
                if (labels.Count(v => v == c) is var area and > 0)
                    areas[c].Add(area);
        }
        Assert.True(areas[1].Average() < areas[3].Average() / 3, "scratches are much smaller than class 3 regions");
        Assert.True(areas[2].Average() < areas[4].Average() / 3, "patches are much smaller than class 4 blobs");
    }
}
