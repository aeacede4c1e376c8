using CnnGen.Runtime.Training;

namespace CnnGen.Runtime.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void StepSchedule_multiplies_by_gamma_every_step_size_epochs()
    {
        var schedule = new StepSchedule(stepSize: 3, gamma: 0.5f);
        float[] expected = [0.2f, 0.2f, 0.2f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.025f];
        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            Assert.Equal(expected[epoch], schedule.LearningRate(epoch, 0.2f), 1e-9f);
        }
    }

    [Fact]
    public void StepSchedule_defaults_to_a_tenfold_decay()
    {
        Assert.Equal(0.01f, new StepSchedule(2).LearningRate(2, 0.1f), 1e-9f);
    }

    [Fact]
    public void Cosine_annealing_starts_at_the_base_halves_at_mid_period_and_ends_at_the_minimum()
    {
        var schedule = new CosineAnnealingSchedule(period: 10, minimumRate: 0.001f);
        Assert.Equal(0.1f, schedule.LearningRate(0, 0.1f));
        Assert.Equal((0.1 + 0.001) / 2, schedule.LearningRate(5, 0.1f), 1e-7);
        Assert.Equal(0.001f, schedule.LearningRate(10, 0.1f), 1e-9f);
    }

    [Fact]
    public void Cosine_annealing_matches_PyTorchs_recursive_CosineAnnealingLR_over_two_and_a_half_periods()
    {
        // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr, stepped once per epoch, in double.
        const int period = 10;
        const double baseRate = 0.1, minimum = 0.001;
        var schedule = new CosineAnnealingSchedule(period, (float)minimum);
        double rate = baseRate;
        for (int epoch = 0; epoch <= 25; epoch++)
        {
            if (epoch == 0)
            {
                rate = baseRate;
            }
            else if ((epoch - 1 - period) % (2 * period) == 0)
            {
                rate += (baseRate - minimum) * (1 - Math.Cos(Math.PI / period)) / 2;
            }
            else
            {
                rate = (1 + Math.Cos(Math.PI * epoch / period)) / (1 + Math.Cos(Math.PI * (epoch - 1) / period))
                    * (rate - minimum) + minimum;
            }

            Assert.Equal(rate, schedule.LearningRate(epoch, (float)baseRate), 1e-7);
        }
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(5, -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(2).LearningRate(-1, 0.1f));
    }

    [Fact]
    public void Warmup_cosine_matches_the_step_formula_of_get_cosine_schedule_with_warmup()
    {
        // 2 epochs of 10 batches, warm-up 25 % = 5 steps: rate(s) = s / 5 below 5, then
        // (1 + cos(π (s − 5) / 15)) / 2 — transformers' lambda, times the base rate.
        var schedule = new WarmupCosineSchedule(epochs: 2, warmupFraction: 0.25);
        for (int step = 0; step < 20; step++)
        {
            double expected = step < 5 ? step / 5.0 : (1 + Math.Cos(Math.PI * (step - 5) / 15)) / 2;
            Assert.Equal(0.1 * expected, schedule.LearningRate(step / 10, step % 10, 10, 0.1f), 1e-7);
        }

        Assert.Equal(0f, schedule.LearningRate(0, 0, 10, 0.1f));
        Assert.Equal(0.1f, schedule.LearningRate(0, 5, 10, 0.1f), 1e-7f);
    }

    [Fact]
    public void Warmup_cosine_without_warmup_starts_at_the_base_and_anneals_every_step()
    {
        var schedule = new WarmupCosineSchedule(epochs: 3);
        Assert.Equal(0.002f, schedule.LearningRate(0, 0, 100, 0.002f));
        Assert.Equal(0.001, schedule.LearningRate(1, 50, 100, 0.002f), 1e-9);
        float previous = float.PositiveInfinity;
        for (int step = 0; step < 300; step++)
        {
            float rate = schedule.LearningRate(step / 100, step % 100, 100, 0.002f);
            Assert.True(rate < previous, $"step {step}: {rate} is not below {previous}");
            previous = rate;
        }

        Assert.Equal(schedule.LearningRate(1, 0, 100, 0.002f), schedule.LearningRate(1, 0.002f)); // epoch form = its first step
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(3, warmupFraction: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(0));
    }
}
