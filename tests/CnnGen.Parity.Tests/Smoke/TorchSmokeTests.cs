using CnnGen.Parity.Tests.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnGen.Parity.Tests.Smoke;

/// <summary>libtorch loads and computes basic things we can check by hand.</summary>
[Collection(TorchCollection.Name)]
public class TorchSmokeTests
{
    [Fact]
    public void Torch_loads_single_threaded_float32()
    {
        Assert.Equal(1, get_num_threads());
        Assert.Equal(ScalarType.Float32, get_default_dtype());
        using var t = ones(3, 4);
        Assert.Equal(12f, t.sum().item<float>());
    }

    [Fact]
    public void Glue_library_copy_in_output_is_patched()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.NotEmpty(LibTorchBootstrap.PatchedFiles);
        foreach (var (path, _) in LibTorchBootstrap.PatchedFiles)
        {
            Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal);
            var needs = ElfVersionNeedPatcher.ReadVersionNeeds(path);
            var target = Assert.Single(needs, n => n.Version == LibTorchBootstrap.MissingVersion);
            Assert.Equal(LibTorchBootstrap.StdCxxLibrary, target.File);
            Assert.True(target.IsWeak);
            Assert.All(needs.Where(n => n != target), n => Assert.False(n.IsWeak, $"{n.Version} should be untouched"));
        }
    }

    [Fact]
    public void Conv2d_vertical_edge_filter_matches_hand_values()
    {
        using var scope = NewDisposeScope();

        // 6×6 image: three columns of 10, then three columns of 0.
        var image = new float[36];
        for (var r = 0; r < 6; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                image[(r * 6) + c] = 10f;
            }
        }

        // 3×3 vertical edge filter: every row is [1, 0, -1].
        float[] filter = [1, 0, -1, 1, 0, -1, 1, 0, -1];
        var x = tensor(image, [1, 1, 6, 6]);
        var w = tensor(filter, [1, 1, 3, 3]);

        var y = nn.functional.conv2d(x, w);

        Assert.Equal([1L, 1, 4, 4], y.shape);
        var values = y.data<float>().ToArray();
        for (var r = 0; r < 4; r++)
        {
            Assert.Equal([0f, 30f, 30f, 0f], values[(r * 4)..((r * 4) + 4)]);
        }
    }

    [Fact]
    public void Linear_forward_matches_hand_values()
    {
        using var scope = NewDisposeScope();
        using var linear = nn.Linear(3, 2);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
            linear.bias!.copy_(tensor(new float[] { 0.5f, -1f }, [2]));
        }

        var y = linear.call(tensor(new float[] { 1, 1, 1, 1, 0, -1 }, [2, 3]));

        // [1,1,1]: [1+2+3+0.5, 4+5+6-1] ; [1,0,-1]: [1-3+0.5, 4-6-1]
        Assert.Equal([6.5f, 14f, -1.5f, -3f], y.data<float>().ToArray());
    }
}
