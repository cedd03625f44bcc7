// platforms/units: every parser on good values (exact SI results) and on bad ones (message).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "platforms/units.hpp"

using namespace flemu::units;

namespace {

const char* const kRateUnits =
    "(units: bps, kbps, Mbps, Gbps, Tbps, Bps, kBps, MBps, GBps, TBps, KiBps, MiBps, GiBps)";

std::string message_of(double (*parser)(const std::string&), const std::string& text) {
  try {
    parser(text);
  } catch (const UnitError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("parse_rate: lowercase b counts bits, uppercase B bytes", "[units]") {
  CHECK(parse_rate("10Mbps") == 1.25e6);
  CHECK(parse_rate("10 Mbps") == 1.25e6);
  CHECK(parse_rate("1.5 Gbps") == 1.875e8);
  CHECK(parse_rate("200kbps") == 25000.0);
  CHECK(parse_rate("8bps") == 1.0);
  CHECK(parse_rate("1Tbps") == 1.25e11);
  CHECK(parse_rate("2MBps") == 2e6);
  CHECK(parse_rate("3kBps") == 3000.0);
  CHECK(parse_rate("1GBps") == 1e9);
  CHECK(parse_rate("1TBps") == 1e12);
  CHECK(parse_rate("100Bps") == 100.0);
  CHECK(parse_rate("1MiBps") == 1048576.0);
  CHECK(parse_rate("1KiBps") == 1024.0);
  CHECK(parse_rate("2GiBps") == 2147483648.0);
  CHECK(parse_rate("0Mbps") == 0.0);
  CHECK(parse_rate("1e6bps") == 125000.0);
  CHECK(parse_rate("2.5E3 kbps") == Approx(312500.0));
  CHECK(parse_rate(".5Mbps") == 62500.0);
  CHECK(parse_rate("5.Mbps") == 625000.0);
  CHECK(parse_rate("  10Mbps  ") == 1.25e6);
  CHECK(parse_rate("10\tMbps") == 1.25e6);
}

TEST_CASE("parse_rate refuses anything but <non-negative number><unit>", "[units]") {
  const std::string expected = std::string("expected a rate like \"10Mbps\" ") + kRateUnits;
  for (const char* bad :
       {"",         " ",       "Mbps",      "10",           "-10Mbps",  "+10Mbps",
        "10 Mbs",   "10mbps",  "10Kbps",    "10Mbps extra", "10Mbps/s", "nan Mbps",
        "NaNMbps",  "infMbps", "1e999Mbps", "1e308TBps",    "10 M bps", "1,5Mbps",
        "0x10Mbps", "e5Mbps",  "1e5",       "10MiBs",       "10Mib",    "1..5Mbps"}) {
    INFO("input: \"" << bad << "\"");
    CHECK(message_of(parse_rate, bad) == expected);
  }
}

TEST_CASE("parse_duration", "[units]") {
  CHECK(parse_duration("50ms") == 0.05);
  CHECK(parse_duration("1.5s") == 1.5);
  CHECK(parse_duration("2min") == 120.0);
  CHECK(parse_duration("3h") == 10800.0);
  CHECK(parse_duration("1d") == 86400.0);
  CHECK(parse_duration("250us") == Approx(250e-6));
  CHECK(parse_duration("0s") == 0.0);
  CHECK(parse_duration("0 ms") == 0.0);
  CHECK(parse_duration("1e-3 s") == 0.001);
  const std::string expected = "expected a duration like \"50ms\" (units: us, ms, s, min, h, d)";
  for (const char* bad : {"50", "5m", "5 sec", "5S", "-1s", "1hr", "s", "5ms5", "1 h 30 min"}) {
    INFO("input: \"" << bad << "\"");
    CHECK(message_of(parse_duration, bad) == expected);
  }
}

TEST_CASE("parse_flops", "[units]") {
  CHECK(parse_flops("2Gf") == 2e9);
  CHECK(parse_flops("500Mf") == 5e8);
  CHECK(parse_flops("1.2Tf") == Approx(1.2e12));
  CHECK(parse_flops("800kf") == 8e5);
  CHECK(parse_flops("1e9f") == 1e9);
  CHECK(parse_flops("3Pf") == 3e15);
  CHECK(parse_flops("7 f") == 7.0);
  const std::string expected = "expected a flops value like \"2Gf\" (units: f, kf, Mf, Gf, Tf, Pf)";
  for (const char* bad : {"2G", "2gf", "2GF", "2 Gflops", "-2Gf", "2Gf!", "Gf", "3eMf"}) {
    INFO("input: \"" << bad << "\"");
    CHECK(message_of(parse_flops, bad) == expected);
  }
}

TEST_CASE("parse_energy", "[units]") {
  CHECK(parse_energy("100J") == 100.0);
  CHECK(parse_energy("12.5kJ") == 12500.0);
  CHECK(parse_energy("2MJ") == 2e6);
  CHECK(parse_energy("5Wh") == 18000.0);
  CHECK(parse_energy("3mWh") == Approx(10.8));
  CHECK(parse_energy("1kWh") == 3.6e6);
  const std::string expected = "expected an energy like \"5Wh\" (units: J, kJ, MJ, Wh, mWh, kWh)";
  for (const char* bad : {"5", "5wh", "5 W h", "-1J", "5Whh", "5j"}) {
    INFO("input: \"" << bad << "\"");
    CHECK(message_of(parse_energy, bad) == expected);
  }
}

TEST_CASE("parse_power", "[units]") {
  CHECK(parse_power("2W") == 2.0);
  CHECK(parse_power("500mW") == 0.5);
  CHECK(parse_power("1.5kW") == 1500.0);
  const std::string expected = "expected a power like \"2W\" (units: mW, W, kW)";
  for (const char* bad : {"2", "2w", "2MW", "-2W", "2 W W"}) {
    INFO("input: \"" << bad << "\"");
    CHECK(message_of(parse_power, bad) == expected);
  }
}

TEST_CASE("parse_bytes", "[units]") {
  CHECK(parse_bytes("10MB") == 1e7);
  CHECK(parse_bytes("1MiB") == 1048576.0);
  CHECK(parse_bytes("512kB") == 512000.0);
  CHECK(parse_bytes("100B") == 100.0);
  CHECK(parse_bytes("1GB") == 1e9);
  CHECK(parse_bytes("1KiB") == 1024.0);
  CHECK(parse_bytes("2GiB") == 2147483648.0);
  const std::string expected =
      "expected a size like \"10MB\" (units: B, kB, MB, GB, KiB, MiB, GiB)";
  for (const char* bad : {"10", "10Mb", "10mb", "10 MBps", "-1B", "10KB"}) {
    INFO("input: \"" << bad << "\"");
    CHECK(message_of(parse_bytes, bad) == expected);
  }
}

TEST_CASE("parse(Quantity, positive) also refuses zero, with a 'positive' message", "[units]") {
  CHECK(parse(Quantity::Rate, "10Mbps", true) == 1.25e6);
  CHECK(parse(Quantity::Duration, "0s", false) == 0.0);
  const std::string expected =
      std::string("expected a positive rate like \"10Mbps\" ") + kRateUnits;
  for (const char* bad : {"0Mbps", "0.0 Gbps", "-1Mbps", "fast"}) {
    INFO("input: \"" << bad << "\"");
    try {
      parse(Quantity::Rate, bad, true);
      FAIL("no error");
    } catch (const UnitError& e) {
      CHECK(std::string(e.what()) == expected);
    }
  }
  CHECK(describe(Quantity::Duration, true) ==
        "a positive duration like \"50ms\" (units: us, ms, s, min, h, d)");
}

TEST_CASE("format helpers pick a readable unit", "[units]") {
  CHECK(format_rate(1.25e6) == "10 Mbps");
  CHECK(format_rate(1.5625e6) == "12.5 Mbps");
  CHECK(format_rate(125) == "1 kbps");
  CHECK(format_rate(1.25e8) == "1 Gbps");
  CHECK(format_rate(0) == "0 bps");
  CHECK(format_flops(2e9) == "2 Gf");
  CHECK(format_flops(5e8) == "500 Mf");
  CHECK(format_flops(1e15) == "1 Pf");
  CHECK(format_duration(0.05) == "50 ms");
  CHECK(format_duration(1.5) == "1.5 s");
  CHECK(format_duration(90) == "1.5 min");
  CHECK(format_duration(7200) == "2 h");
  CHECK(format_duration(2.5e-4) == "250 us");
  CHECK(format_duration(0) == "0 s");
  // What format_* writes, parse_* reads back.
  CHECK(parse_rate(format_rate(1.25e6)) == 1.25e6);
  CHECK(parse_flops(format_flops(2e9)) == 2e9);
  CHECK(parse_duration(format_duration(0.05)) == 0.05);
}
