using System.Numerics.Tensors;
using CnnGen.Runtime;
using CnnGen.Runtime.Training;
using ScottPlot;

namespace FashionMnist;

/// <summary>The two PNGs of a run: the training curve and the learned first-layer filters.</summary>
internal static class Plots
{
    /// <summary>
    /// Training loss per mini-batch (faint) and its moving average, each epoch's mean training loss and
    /// test loss on the left axis; test accuracy per epoch on the right axis, under <paramref name="title"/>.
    /// </summary>
    public static void SaveTrainingCurve(TrainingHistory history, string path, string title = "FashionNet on Fashion-MNIST")
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("cross-entropy loss");

        double[] batchEpochs = history.BatchLosses.Select(point => point.Epoch).ToArray();
        double[] batchLosses = history.BatchLosses.Select(point => point.Loss).ToArray();
        var raw = plot.Add.ScatterLine(batchEpochs, batchLosses, Colors.SteelBlue.WithAlpha(0.25));
        raw.LineWidth = 1;
        var smoothed = plot.Add.ScatterLine(batchEpochs, CenteredMovingAverage(batchLosses, halfWidth: Math.Clamp(batchLosses.Length / 100, 1, 12)), Colors.SteelBlue);
        smoothed.LineWidth = 2;
        smoothed.LegendText = "train loss (per batch, smoothed)";

        // An epoch's mean training loss belongs to the middle of the epoch; test results to its end.
        double[] epochMiddles = history.Epochs.Select(result => result.Epoch + 0.5).ToArray();
        double[] epochEnds = history.Epochs.Select(result => result.Epoch + 1.0).ToArray();
        var trainLoss = plot.Add.ScatterPoints(epochMiddles, history.Epochs.Select(result => (double)result.TrainLoss).ToArray(), Colors.Navy);
        trainLoss.MarkerSize = 9;
        trainLoss.LegendText = "train loss (epoch mean)";
        var testLoss = plot.Add.Scatter(epochEnds, history.Epochs.Select(result => (double)result.TestLoss).ToArray(), Colors.DarkOrange);
        testLoss.MarkerSize = 9;
        testLoss.LineWidth = 2;
        testLoss.LegendText = "test loss";

        double[] accuracies = history.Epochs.Select(result => 100.0 * result.TestAccuracy).ToArray();
        var testAccuracy = plot.Add.Scatter(epochEnds, accuracies, Colors.ForestGreen);
        testAccuracy.Axes.YAxis = plot.Axes.Right;
        testAccuracy.MarkerSize = 9;
        testAccuracy.LineWidth = 2;
        testAccuracy.LegendText = "test accuracy (%, right axis)";
        foreach ((double epoch, double accuracy) in epochEnds.Zip(accuracies))
        {
            var label = plot.Add.Text($"{accuracy:F1} %", epoch, accuracy);
            label.Axes.YAxis = plot.Axes.Right;
            label.LabelFontColor = Colors.ForestGreen;
            label.LabelAlignment = Alignment.LowerRight;
            label.OffsetY = -4;
        }

        plot.Axes.Right.Label.Text = "test accuracy (%)";
        plot.Axes.SetLimitsX(0, history.Epochs.Count + 0.05);
        plot.Axes.SetLimitsY(0, Math.Max(1.0, batchLosses.Take(10).DefaultIfEmpty(1).Max() * 1.05));
        double lowestAccuracy = accuracies.DefaultIfEmpty(50).Min();
        plot.Axes.SetLimitsY(Math.Floor(Math.Min(lowestAccuracy - 5, 80) / 5) * 5, 100, plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>
    /// The filters of the first convolution as a grid of heatmaps, 8 per row, each scaled to its own
    /// largest |weight| on a diverging colour map (blue negative, red positive, white zero).
    /// </summary>
    public static void SaveFirstLayerFilters(INetwork network, string tensorName, string path)
    {
        ParameterTensor tensor = network.ParameterTensors.Single(candidate => candidate.Name == tensorName);
        (int filters, int inputChannels, int height, int width) = (tensor.Shape[0], tensor.Shape[1], tensor.Shape[2], tensor.Shape[3]);
        ReadOnlySpan<float> weights = network.Parameters.Slice(tensor.Offset, tensor.Length);

        // One cell of NaN (drawn transparent) between filters; with several input channels, show the first.
        const int Columns = 8;
        int rows = (filters + Columns - 1) / Columns;
        var grid = new double[rows * (height + 1) - 1, Columns * (width + 1) - 1];
        for (int row = 0; row < grid.GetLength(0); row++)
        {
            for (int column = 0; column < grid.GetLength(1); column++)
            {
                grid[row, column] = double.NaN;
            }
        }

        int filterLength = inputChannels * height * width;
        for (int filter = 0; filter < filters; filter++)
        {
            ReadOnlySpan<float> kernel = weights.Slice(filter * filterLength, height * width);
            float scale = Math.Max(Math.Abs(TensorPrimitives.MaxMagnitude(kernel)), float.Epsilon);
            int top = filter / Columns * (height + 1), left = filter % Columns * (width + 1);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    grid[top + y, left + x] = kernel[y * width + x] / scale;
                }
            }
        }

        var plot = new Plot();
        plot.Title($"{tensorName}: {filters} learned {height}×{width} filters (each scaled to its max |w|)");
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Balance();
        heatmap.ManualRange = new ScottPlot.Range(-1, 1);
        heatmap.NaNCellColor = Colors.White;
        plot.Add.ColorBar(heatmap);
        plot.Axes.Frameless();
        plot.Axes.Title.IsVisible = true; // Frameless hides the title panel too
        plot.HideGrid();
        plot.Axes.SquareUnits();
        plot.SavePng(path, 940, 520);
    }

    // The mean of the values within `halfWidth` of each point (fewer at the ends): no lag behind the data.
    private static double[] CenteredMovingAverage(double[] values, int halfWidth)
    {
        var prefixSums = new double[values.Length + 1];
        for (int i = 0; i < values.Length; i++)
        {
            prefixSums[i + 1] = prefixSums[i] + values[i];
        }

        var averages = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int first = Math.Max(0, i - halfWidth), end = Math.Min(values.Length, i + halfWidth + 1);
            averages[i] = (prefixSums[end] - prefixSums[first]) / (end - first);
        }

        return averages;
    }
}
