import { contract } from "./journeys.js";

contract("zalo-webhook");
