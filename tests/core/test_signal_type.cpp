#include <gtest/gtest.h>

#include <cmath>

#include "common/TestPaths.h"
#include "core/io/Recording.h"
#include "core/signal/SignalType.h"

using namespace neurolm;
using namespace neurolm::signal;

TEST(PhysicalUnit, ParsesVoltagesInEverySpelling) {
  struct Case {
    const char* written;
    const char* symbol;
    double toBase;
  };
  for (const Case& c : {Case{"uV", "µV", 1e-6}, Case{"µV", "µV", 1e-6}, Case{"\xCE\xBCV", "µV", 1e-6},
                        Case{"\xB5V", "µV", 1e-6}, Case{"UV", "µV", 1e-6}, Case{" microV ", "µV", 1e-6},
                        Case{"mV", "mV", 1e-3}, Case{"MV", "mV", 1e-3}, Case{"V", "V", 1.0},
                        Case{"v", "V", 1.0}, Case{"nV", "nV", 1e-9}}) {
    SCOPED_TRACE(c.written);
    const PhysicalUnit u = parsePhysicalUnit(c.written);
    EXPECT_EQ(u.quantity, Quantity::Voltage);
    EXPECT_EQ(u.symbol, c.symbol);
    EXPECT_DOUBLE_EQ(u.toBase, c.toBase);
  }
}

TEST(PhysicalUnit, KeepsUnknownUnitsAsWritten) {
  for (const char* written : {"%", "bpm", "Boolean", "", "kV", "Lev", "mmHg"}) {
    const PhysicalUnit u = parsePhysicalUnit(written);
    EXPECT_EQ(u.quantity, Quantity::Unknown) << written;
    EXPECT_EQ(u.symbol, written);
  }
  EXPECT_EQ(parsePhysicalUnit("degC").quantity, Quantity::Temperature);
  EXPECT_EQ(parsePhysicalUnit("\xC2\xB0"
                              "C")
                .symbol,
            "°C");
  EXPECT_EQ(parsePhysicalUnit("DegF").symbol, "°F");
}

TEST(PhysicalUnit, ConvertsBetweenUnitsOfOneQuantityOnly) {
  // Hand-worked: 0.65 mV = 650 µV; 1 V = 1e9 nV; 3 µV = 0.003 mV.
  EXPECT_NEAR(*conversionFactor(parsePhysicalUnit("mV"), parsePhysicalUnit("uV")) * 0.65, 650.0, 1e-9);
  EXPECT_NEAR(*conversionFactor(parsePhysicalUnit("V"), parsePhysicalUnit("nV")), 1e9, 1e-3);
  EXPECT_NEAR(*conversionFactor(parsePhysicalUnit("uV"), parsePhysicalUnit("mV")) * 3, 0.003, 1e-15);
  EXPECT_FALSE(conversionFactor(parsePhysicalUnit("uV"), parsePhysicalUnit("degC")));
  EXPECT_FALSE(conversionFactor(parsePhysicalUnit("degF"), parsePhysicalUnit("degC")));
  EXPECT_FALSE(conversionFactor(parsePhysicalUnit("%"), parsePhysicalUnit("uV")));
  EXPECT_DOUBLE_EQ(*conversionFactor(parsePhysicalUnit("%"), parsePhysicalUnit("%")), 1.0);
}

TEST(SignalType, ClassifiesLabelsAndUnitsByTheDocumentedRules) {
  struct Case {
    const char* label;
    const char* unit;
    SignalType type;
  };
  for (const Case& c : {
           Case{"EEG Fp1", "uV", SignalType::Eeg},      // rule 1, EEG word
           Case{"EEG A2-A1", "uV", SignalType::Eeg},    //
           Case{"ECG ECG", "mV", SignalType::Ecg},      // EEGMAT's ECG
           Case{"EKG2", "mV", SignalType::Ecg},         // trailing digits ignored
           Case{"EMG Chin", "uV", SignalType::Emg},     //
           Case{"Chin1-Chin2", "uV", SignalType::Emg},  //
           Case{"LOC-A2", "uV", SignalType::Eog},       //
           Case{"EOG ROC", "uV", SignalType::Eog},      //
           Case{"Resp Thorax", "", SignalType::Respiration},
           Case{"Airflow", "mV", SignalType::Respiration},
           Case{"Temp rectal", "degC", SignalType::Temperature},
           Case{"Body", "degC", SignalType::Temperature},  // rule 2, unit only
           Case{"Status", "Boolean", SignalType::Trigger},
           Case{"TRIG", "", SignalType::Trigger},
           Case{"STI 014", "V", SignalType::Trigger},
           Case{"Fc5.", "uV", SignalType::Eeg},  // rule 3: EEGMMIDB electrode names
           Case{"Cz-Ref", "uV", SignalType::Eeg},
           Case{"O2", "uV", SignalType::Eeg},
           Case{"Ch1", "uV", SignalType::Other},  // rule 4
           Case{"SaO2", "%", SignalType::Other},
           Case{"Pleth", "", SignalType::Other},
       }) {
    EXPECT_EQ(classifySignal(c.label, c.unit), c.type)
        << c.label << " [" << c.unit << "] -> " << signalTypeName(classifySignal(c.label, c.unit));
  }
  EXPECT_TRUE(isAnnotationSignalLabel("EDF Annotations"));
  EXPECT_TRUE(isAnnotationSignalLabel("BDF Annotations "));
  EXPECT_FALSE(isAnnotationSignalLabel("Status"));
}

TEST(SignalType, NamesRoundTrip) {
  for (SignalType t : kAllSignalTypes) EXPECT_EQ(signalTypeFromName(signalTypeName(t)), t);
  EXPECT_FALSE(signalTypeFromName("EEG"));
  EXPECT_EQ(signalTypeName(SignalType::Respiration), "respiration");
}

TEST(DisplayScale, DefaultsPerTypeConvertTheChannelUnit) {
  // ECG recorded in µV is displayed in mV: 1 mV per division, 1 µV -> 0.001 mV.
  const DisplayScale ecg = defaultDisplayScale(SignalType::Ecg, parsePhysicalUnit("uV"), -5000, 5000);
  EXPECT_EQ(ecg.unit.symbol, "mV");
  EXPECT_DOUBLE_EQ(ecg.perDivision, 1.0);
  EXPECT_DOUBLE_EQ(ecg.fromPhysical, 1e-3);
  EXPECT_DOUBLE_EQ(ecg.centreValue, 0.0);
  // EEG recorded in mV is displayed in µV.
  const DisplayScale eeg = defaultDisplayScale(SignalType::Eeg, parsePhysicalUnit("mV"), -1, 1);
  EXPECT_EQ(eeg.unit.symbol, "µV");
  EXPECT_DOUBLE_EQ(eeg.perDivision, 100.0);
  EXPECT_DOUBLE_EQ(eeg.fromPhysical, 1000.0);
  EXPECT_DOUBLE_EQ(defaultDisplayScale(SignalType::Eog, parsePhysicalUnit("uV"), -1, 1).perDivision, 200.0);
  const DisplayScale emg = defaultDisplayScale(SignalType::Emg, parsePhysicalUnit("V"), -1, 1);
  EXPECT_EQ(emg.unit.symbol, "mV");
  EXPECT_DOUBLE_EQ(emg.fromPhysical, 1000.0);
  // Temperature 30..40 °C: the range fills the lane, 35 °C on the centre line, 5 °C per division.
  const DisplayScale temp = defaultDisplayScale(SignalType::Temperature, parsePhysicalUnit("degC"), 30, 40);
  EXPECT_EQ(temp.unit.symbol, "°C");
  EXPECT_DOUBLE_EQ(temp.centreValue, 35.0);
  EXPECT_DOUBLE_EQ(temp.perDivision, 5.0);
  // Trigger 0..255 drawn as steps.
  const DisplayScale trig = defaultDisplayScale(SignalType::Trigger, parsePhysicalUnit(""), 0, 255);
  EXPECT_EQ(trig.shape, TraceShape::Steps);
  EXPECT_DOUBLE_EQ(trig.centreValue, 127.5);
  EXPECT_DOUBLE_EQ(trig.perDivision, 127.5);
  // EEG without a usable unit falls back to its physical range, in its own unit.
  const DisplayScale raw = defaultDisplayScale(SignalType::Eeg, parsePhysicalUnit("counts"), -2048, 2047);
  EXPECT_EQ(raw.unit.symbol, "counts");
  EXPECT_DOUBLE_EQ(raw.perDivision, 2047.5);
}

TEST(ChannelDisplayTable, OverridesTypeAndScalePerChannel) {
  ChannelDisplayTable table({{"EEG Fz", "uV", -100, 100}, {"ECG ECG", "mV", -0.2, 0.65}});
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.type(1), SignalType::Ecg);
  EXPECT_FALSE(table.typeOverridden(1));
  table.setPerDivision(0, 50);
  EXPECT_DOUBLE_EQ(table.scale(0).perDivision, 50.0);
  EXPECT_DOUBLE_EQ(table.scale(1).perDivision, 1.0);  // untouched
  table.setType(1, SignalType::Eeg);
  EXPECT_TRUE(table.typeOverridden(1));
  EXPECT_EQ(table.scale(1).unit.symbol, "µV");
  EXPECT_DOUBLE_EQ(table.scale(1).fromPhysical, 1000.0);
  table.reset(1);
  EXPECT_EQ(table.type(1), SignalType::Ecg);
  EXPECT_EQ(table.scale(1).unit.symbol, "mV");
  EXPECT_THROW(table.setPerDivision(0, 0), std::invalid_argument);
  EXPECT_THROW(table.setPerDivision(0, std::nan("")), std::invalid_argument);
  EXPECT_THROW(table.type(2), std::out_of_range);
  EXPECT_DOUBLE_EQ(table.scale(0).perDivision, 50.0);  // a refused change leaves the old value
}

TEST(SignalType, TypesEveryEegmatChannel) {
  OpenOptions o;
  o.backgroundAnnotations = false;
  o.buildPyramid = false;
  const auto rec = Recording::open(test::dataDir() / "eegmat" / "Subject00_1.edf", o);
  ASSERT_EQ(rec->channels().size(), 21u);
  for (const auto& c : rec->channels()) {
    const SignalType expected = c.label == "ECG ECG" ? SignalType::Ecg : SignalType::Eeg;
    EXPECT_EQ(classifySignal(c.label, c.unit), expected) << c.label;
  }
}
